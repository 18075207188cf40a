#pragma once

#include "models/AuditTrail.h"

#include <QWidget>

class AuditFilterProxy;
class AuditLogModel;
class QCheckBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

// The Audit page: what this machine sent to the signed-in server (and workspace), from the local audit trail, with
// filters by user, resource and date, Export (CSV or JSON by the file's extension), and Verify, which checks the
// hash chain and says where it is broken. It reloads whenever the console records an apply.
class AuditPage : public QWidget
{
    Q_OBJECT

public:
    explicit AuditPage(QWidget* parent = nullptr);

    void setTrailPath(const QString& path);
    QString trailPath() const { return m_trailPath; }

    QLineEdit* userFilterEdit() const { return m_userEdit; }
    QLineEdit* resourceFilterEdit() const { return m_resourceEdit; }
    QLineEdit* filterEdit() const { return m_userEdit; } // what Ctrl+F focuses
    QCheckBox* dateRangeBox() const { return m_dateRange; }
    QDateEdit* sinceEdit() const { return m_since; }
    QDateEdit* untilEdit() const { return m_until; }
    QTableView* view() const { return m_view; }
    AuditLogModel* model() const { return m_model; }
    AuditFilterProxy* proxy() const { return m_proxy; }
    QPushButton* reviewButton() const { return m_reviewButton; }
    QLabel* chainLabel() const { return m_chainLabel; }

    // Reads the trail again.
    void reload();
    // Checks the chain and shows the result in the page; returns it.
    AuditTrail::Verification verify();
    // Writes the shown entries to `path`: JSON when it ends in .json, else CSV. False with a sentence.
    bool exportTo(const QString& path, QString* error = nullptr) const;

signals:
    // The reviewer asked to start an access review (recertification).
    void reviewRequested();

private:
    void applyFilter();
    void exportWithDialog();

    QString m_trailPath;
    AuditLogModel* m_model = nullptr;
    AuditFilterProxy* m_proxy = nullptr;
    QLineEdit* m_userEdit = nullptr;
    QLineEdit* m_resourceEdit = nullptr;
    QCheckBox* m_dateRange = nullptr;
    QDateEdit* m_since = nullptr;
    QDateEdit* m_until = nullptr;
    QTableView* m_view = nullptr;
    QLabel* m_countLabel = nullptr;
    QLabel* m_chainLabel = nullptr;
    QPushButton* m_verifyButton = nullptr;
    QPushButton* m_exportButton = nullptr;
    QPushButton* m_reviewButton = nullptr;
};
