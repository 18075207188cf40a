#pragma once

#include <QDialog>
#include <QPointer>

class AuthApi;
class ChangeSet;
class QDialogButtonBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;
struct ApplySummary;

// Shows what is staged (each change, with the error of a failed earlier attempt) and the API calls it becomes,
// then applies on request with a progress bar and one result line per change. Failed changes stay staged, so the
// list after an apply is exactly what is still pending. Open it with open(); it never blocks.
class ReviewChangesDialog : public QDialog
{
    Q_OBJECT

public:
    ReviewChangesDialog(ChangeSet* changeSet, AuthApi* auth, QWidget* parent = nullptr);

    QTreeWidget* changesList() const { return m_changes; }
    QTreeWidget* callsList() const { return m_calls; }
    QTreeWidget* resultsList() const { return m_results; }
    QPushButton* applyButton() const { return m_applyButton; }
    QPushButton* restoreButton() const { return m_restoreButton; }
    QProgressBar* progressBar() const { return m_progress; }

    void apply();
    // "5 changes applied, 1 failed: Grant READ on experiment … to user2: …": what one apply did, in words.
    static QString summaryText(const ApplySummary& summary);
    QString summary() const;

signals:
    void appliedChanges(int succeeded, int failed);

protected:
    void reject() override;
    void showEvent(QShowEvent* event) override;

private:
    void refresh();
    void askPassword(QTreeWidgetItem* item);
    void showResults(const ApplySummary& summary);

    QPointer<ChangeSet> m_changeSet;
    QPointer<AuthApi> m_auth;
    QLabel* m_summary = nullptr;
    QTreeWidget* m_changes = nullptr;
    QTreeWidget* m_calls = nullptr;
    QTreeWidget* m_results = nullptr;
    QProgressBar* m_progress = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QPushButton* m_applyButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QPushButton* m_restoreButton = nullptr;
};
