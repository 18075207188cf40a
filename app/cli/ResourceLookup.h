#pragma once

#include "api/ApiJob.h"
#include "api/WireTypes.h"

#include <QCoreApplication>
#include <QString>

class TrackingApi;

// One experiment or registered model as the user named it on the command line.
struct ResolvedResource
{
    ResourceType type = ResourceType::Experiment;
    QString id;   // experiment id, or the model name
    QString name; // experiment name, or the model name

    // "experiment /user1/experiment1 (id 1)" or "registered model churn".
    QString describe() const;
};

using ResourceLookupJob = ValueJob<ResolvedResource>;

// Finds `text` among the experiments (by id, else by exact name; deleted ones included) or the registered models (by
// exact name). Permission endpoints accept any id without checking, so the CLI checks first to catch typos.
// Fails with Kind::NotFound when there is no such resource.
class ResourceLookup
{
    Q_DECLARE_TR_FUNCTIONS(ResourceLookup)

public:
    static ResourceLookupJob* find(TrackingApi* tracking, ResourceType type, const QString& text, QObject* parent);
    // The sentence for a NotFound failure of find().
    static QString notFoundMessage(ResourceType type, const QString& text);
};
