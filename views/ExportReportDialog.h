#pragma once

#include "models/AccessSnapshot.h"
#include "reports/ReportWriter.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

// File > Export report…: what the report covers (everything, one user, one experiment or one registered model),
// its format and its file. Writing happens here, from the access picture taken when the dialog opened; a failure
// stays in the dialog's error area with the choices kept, so the admin can pick another file and try again.
class ExportReportDialog : public QDialog
{
    Q_OBJECT

public:
    ExportReportDialog(AccessSnapshot snapshot, ReportWriter::Producer producer, QWidget* parent = nullptr);

    // Preselects a scope, e.g. the user or experiment selected in the window.
    void setScope(const AccessReport::Scope& scope);
    AccessReport::Scope scope() const;
    ReportFormat format() const;
    void setFormat(ReportFormat format);
    QString path() const;
    void setPath(const QString& path);
    QString errorText() const;

    QComboBox* scopeKindCombo() const { return m_scopeKind; }
    QComboBox* scopeNameCombo() const { return m_scopeName; }
    QPushButton* exportButton() const { return m_exportButton; }

    // Writes the report; true and the dialog accepted on success, else the error is shown and it stays open.
    bool exportReport();

signals:
    void exported(const QString& path);

private:
    void fillNames();
    void chooseFile();
    void formatChanged();
    void showError(const QString& message);

    AccessSnapshot m_snapshot;
    ReportWriter::Producer m_producer;
    QComboBox* m_scopeKind = nullptr;
    QComboBox* m_scopeName = nullptr;
    QComboBox* m_format = nullptr;
    QLineEdit* m_pathEdit = nullptr;
    QLabel* m_errorLabel = nullptr;
    QPushButton* m_exportButton = nullptr;
};
