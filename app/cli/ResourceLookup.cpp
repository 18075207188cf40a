#include "app/cli/ResourceLookup.h"

#include "api/TrackingApi.h"

QString ResolvedResource::describe() const
{
    if (type == ResourceType::RegisteredModel)
        return QCoreApplication::translate("ResourceLookup", "registered model %1").arg(name);
    return QCoreApplication::translate("ResourceLookup", "experiment %1 (id %2)").arg(name, id);
}

ResourceLookupJob* ResourceLookup::find(TrackingApi* tracking, ResourceType type, const QString& text, QObject* parent)
{
    auto* job = new ResourceLookupJob(parent);
    if (type == ResourceType::RegisteredModel) {
        RegisteredModelListJob* models = tracking->searchRegisteredModels();
        job->follow(models);
        QObject::connect(models, &ApiJob::finished, job, [job, models, text] {
            if (models->hasError()) {
                job->fail(models->error());
                return;
            }
            for (const RegisteredModel& model : models->value()) {
                if (model.name == text) {
                    job->succeed(ResolvedResource{ResourceType::RegisteredModel, model.name, model.name});
                    return;
                }
            }
            job->fail(ApiError(ApiError::Kind::NotFound, notFoundMessage(ResourceType::RegisteredModel, text)));
        });
        return job;
    }
    ExperimentListJob* experiments = tracking->searchExperiments(ViewType::All);
    job->follow(experiments);
    QObject::connect(experiments, &ApiJob::finished, job, [job, experiments, text] {
        if (experiments->hasError()) {
            job->fail(experiments->error());
            return;
        }
        // An id wins over a name: ids are what MLflow itself uses, and a name that looks like an id is rare.
        const Experiment* byName = nullptr;
        for (const Experiment& experiment : experiments->value()) {
            if (experiment.id == text) {
                job->succeed(ResolvedResource{ResourceType::Experiment, experiment.id, experiment.name});
                return;
            }
            if (experiment.name == text && !byName)
                byName = &experiment;
        }
        if (byName) {
            job->succeed(ResolvedResource{ResourceType::Experiment, byName->id, byName->name});
            return;
        }
        job->fail(ApiError(ApiError::Kind::NotFound, notFoundMessage(ResourceType::Experiment, text)));
    });
    return job;
}

QString ResourceLookup::notFoundMessage(ResourceType type, const QString& text)
{
    if (type == ResourceType::RegisteredModel)
        return tr("There is no registered model named '%1'. List them with `models list`.").arg(text);
    return tr("There is no experiment with id or name '%1'. List them with `experiments list --all`.").arg(text);
}
