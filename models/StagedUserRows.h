#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

class ChangeSet;

// The users a ChangeSet will create that the Directory does not have yet, in name order: the rows the users and
// access matrix models show after the Directory's own, so a new user can be given permissions before it exists.
// It keeps its own copy of the names, because a model must announce a row before it appears or goes; sync() then
// moves the copy to the staged state one row at a time, between the about-to and done signals.
class StagedUserRows : public QObject
{
    Q_OBJECT

public:
    explicit StagedUserRows(ChangeSet* changeSet, QObject* parent = nullptr);

    int count() const { return static_cast<int>(m_names.size()); }
    QString at(int index) const { return m_names.at(index); }
    int indexOf(const QString& username) const;
    // The tooltip of such a row: why it is there and when the user will exist.
    static QString explanation(const QString& username);

    // Brings the copy up to date, emitting the signals below per row. Called on every staging change by itself;
    // models call it after the Directory added or removed a user (a created user then leaves this list).
    void sync();
    // Replaces the copy without signals, between a model's beginResetModel() and endResetModel().
    void reload();

signals:
    void aboutToInsert(int index);
    void inserted();
    void aboutToRemove(int index);
    void removed();

private:
    QStringList current() const;

    QPointer<ChangeSet> m_changeSet;
    QStringList m_names;
};
