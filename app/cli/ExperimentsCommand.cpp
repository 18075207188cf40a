#include "app/cli/ExperimentsCommand.h"

#include "api/TrackingApi.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"

#include <QDateTime>
#include <QJsonObject>

QList<CommandSpec> ExperimentsCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("experiments"), QStringLiteral("list")};
    spec.synopsis = QStringLiteral("[--filter F] [--deleted | --all]");
    spec.description = tr("list experiments (MLflow search filter syntax, e.g. \"name LIKE '/user1/%'\")");
    spec.options = {
        {QStringLiteral("filter"), tr("MLflow search filter, e.g. \"name LIKE '/user1/%'\"."), QStringLiteral("F")},
        {QStringLiteral("deleted"), tr("List deleted experiments only.")},
        {QStringLiteral("all"), tr("List active and deleted experiments.")},
    };
    spec.create = [](CliContext* context) -> CliCommand* {
        return new ExperimentsCommand(context);
    };
    return {spec};
}

bool ExperimentsCommand::prepare()
{
    if (isSet(QStringLiteral("deleted")) && isSet(QStringLiteral("all"))) {
        fail(ExitCode::Usage, tr("Give either --deleted (deleted experiments only) or --all, not both."));
        return false;
    }
    return true;
}

void ExperimentsCommand::start()
{
    const ViewType view = isSet(QStringLiteral("all"))       ? ViewType::All
                          : isSet(QStringLiteral("deleted")) ? ViewType::DeletedOnly
                                                             : ViewType::ActiveOnly;
    ExperimentListJob* job = session().tracking()->searchExperiments(view, option(QStringLiteral("filter")));
    connect(job, &ApiJob::finished, this, [this, job] {
        if (job->hasError()) {
            fail(job->error(), tr("Listing experiments failed"));
            return;
        }
        Table table;
        table.addColumn(QStringLiteral("id"), tr("Id"));
        table.addColumn(QStringLiteral("name"), tr("Name"));
        table.addColumn(QStringLiteral("lifecycle_stage"), tr("State"));
        table.addColumn(QStringLiteral("creation_time"), tr("Created"));
        for (const Experiment& experiment : job->value()) {
            const QString created = experiment.creationTime > 0
                                        ? QDateTime::fromMSecsSinceEpoch(experiment.creationTime).toString(Qt::ISODate)
                                        : QString();
            table.addRow({experiment.id, experiment.name, experiment.lifecycleStage, created});
        }
        if (out().isJson())
            out().json(QJsonObject{{QStringLiteral("experiments"), table.toJson()}});
        else
            out().table(table, tr("%n experiment(s)", nullptr, static_cast<int>(job->value().size())));
        done();
    });
}
