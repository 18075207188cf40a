#pragma once

#include "models/ReviewCampaign.h"

#include <QDialog>
#include <QPointer>

class AuditRecorder;
class ChangeSet;
class Directory;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

// Review mode (recertification): pick a scope (all explicit grants, one user's, one experiment's), then walk through
// the grants and mark each Keep (K) or Revoke (R); N and P move on and back. Finish stages the revokes in the
// ChangeSet (Review & apply sends them like any other change) and records the campaign in the audit trail.
class RecertificationDialog : public QDialog
{
    Q_OBJECT

public:
    RecertificationDialog(Directory* directory, ChangeSet* changeSet, AuditRecorder* audit, QWidget* parent = nullptr);

    QComboBox* scopeBox() const { return m_scopeBox; }
    QComboBox* subjectBox() const { return m_subjectBox; }
    QTableWidget* grantsView() const { return m_grants; }
    QLabel* progressLabel() const { return m_progressLabel; }
    ReviewCampaign* campaign() const { return m_campaign; }

    // Starts a campaign over the scope chosen in the boxes (or the one given).
    void start();
    void start(ReviewCampaign::ScopeKind scope, const QString& value);
    void keep() { decide(ReviewCampaign::Decision::Keep); }
    void revoke() { decide(ReviewCampaign::Decision::Revoke); }
    void next();
    void previous();
    // Stages the revokes, records the campaign and closes; false (and stays open) when that failed.
    bool finish();
    // The campaign as a document for its report: CSV when `path` ends in .csv, else JSON (ReviewCampaign::toJson),
    // owner-only; false with a sentence. The Export… button asks for the file and comes here.
    bool exportCampaign(const QString& path, QString* error) const;

signals:
    void revokesStaged(int count);

private:
    void fillSubjects();
    void decide(ReviewCampaign::Decision decision);
    void rebuild();
    void updateRow(int row);
    void updateState();
    void chooseExportFile();

    QPointer<Directory> m_directory;
    QPointer<ChangeSet> m_changeSet;
    QPointer<AuditRecorder> m_audit;
    ReviewCampaign* m_campaign = nullptr;
    QComboBox* m_scopeBox = nullptr;
    QComboBox* m_subjectBox = nullptr;
    QPushButton* m_startButton = nullptr;
    QLabel* m_progressLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QTableWidget* m_grants = nullptr;
    QPushButton* m_keepButton = nullptr;
    QPushButton* m_revokeButton = nullptr;
    QPushButton* m_previousButton = nullptr;
    QPushButton* m_nextButton = nullptr;
    QPushButton* m_finishButton = nullptr;
    QPushButton* m_exportButton = nullptr;
};
