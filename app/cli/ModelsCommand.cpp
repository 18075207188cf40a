#include "app/cli/ModelsCommand.h"

#include "api/TrackingApi.h"
#include "app/cli/CliSession.h"
#include "app/cli/OutputWriter.h"

#include <QDateTime>
#include <QJsonObject>

QList<CommandSpec> ModelsCommand::specs()
{
    CommandSpec spec;
    spec.words = QStringList{QStringLiteral("models"), QStringLiteral("list")};
    spec.description = tr("list registered models");
    spec.create = [](CliContext* context) -> CliCommand* {
        return new ModelsCommand(context);
    };
    return {spec};
}

void ModelsCommand::start()
{
    RegisteredModelListJob* job = session().tracking()->searchRegisteredModels();
    connect(job, &ApiJob::finished, this, [this, job] {
        if (job->hasError()) {
            fail(job->error(), tr("Listing registered models failed"));
            return;
        }
        Table table;
        table.addColumn(QStringLiteral("name"), tr("Name"));
        table.addColumn(QStringLiteral("creation_time"), tr("Created"));
        table.addColumn(QStringLiteral("description"), tr("Description"));
        for (const RegisteredModel& model : job->value()) {
            const QString created = model.creationTimestamp > 0
                                        ? QDateTime::fromMSecsSinceEpoch(model.creationTimestamp).toString(Qt::ISODate)
                                        : QString();
            table.addRow({model.name, created, model.description});
        }
        if (out().isJson())
            out().json(QJsonObject{{QStringLiteral("models"), table.toJson()}});
        else
            out().table(table, tr("%n registered model(s)", nullptr, static_cast<int>(job->value().size())));
        done();
    });
}
