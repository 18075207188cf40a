#include "app/cli/CliCommand.h"

#include "app/cli/AccessCommand.h"
#include "app/cli/CliSession.h"
#include "app/cli/DirectoryLoader.h"
#include "app/cli/OutputWriter.h"
#include "models/AuditRecorder.h"

CliCommand::CliCommand(CliContext* context, QObject* parent) : QObject(parent), m_context(context) {}

void CliCommand::sessionFailed(int exitCode, const QString& message, const QString& kind)
{
    // A script that meets an untrusted certificate needs the fingerprint as data, to show it or to pin it.
    QJsonObject details;
    const QString fingerprint =
        session().hasProbeResult() ? session().probe().error.certificateFingerprint() : QString();
    if (!fingerprint.isEmpty())
        details.insert(QStringLiteral("certificate_sha256"), fingerprint);
    fail(static_cast<ExitCode>(exitCode), message, kind, details);
}

void CliCommand::done(ExitCode code)
{
    if (m_done)
        return;
    if (code == ExitCode::Ok && m_audit && m_audit->failureCount() > 0)
        code = ExitCode::AuditFailed;
    m_done = true;
    m_exitCode = static_cast<int>(code);
    emit finished(m_exitCode);
}

void CliCommand::fail(ExitCode code, const QString& message, const QString& kind, const QJsonObject& details)
{
    if (m_done)
        return;
    code = errorExitCode(code);
    out().error(message, static_cast<int>(code), kind, details);
    done(code);
}

void CliCommand::fail(const ApiError& error, const QString& what)
{
    const QString sentence = error.userMessage();
    fail(ExitCodes::fromApiError(error), what.isEmpty() ? sentence : what + QLatin1String(": ") + sentence,
         ApiError::kindName(error.kind()));
}

void CliCommand::loadDirectory(std::unique_ptr<DirectoryLoader>& loader, const QString& what,
                               std::function<void()> loaded, const QStringList& namedUsers)
{
    loader = std::make_unique<DirectoryLoader>(&session());
    loader->setNamedUsers(namedUsers);
    QString error;
    const bool started = loader->load(
        [this, what, loaded = std::move(loaded)](const ApiError& failure) {
            if (failure.isError()) {
                fail(failure, what);
                return;
            }
            loaded();
        },
        &error);
    if (!started)
        fail(ExitCode::Other, error);
}

AuditRecorder* CliCommand::audit()
{
    if (!m_audit) {
        AuditActor actor;
        actor.serverUrl = session().target().url.toString();
        actor.workspace = session().workspaceRequested() ? session().workspace() : QString();
        actor.localAccount = AuditTrail::localAccount();
        actor.mlflowAccount = session().target().username;
        actor.origin = QStringLiteral("cli ") + m_context->spec.words.join(QLatin1Char(' '));
        m_audit = new AuditRecorder(actor, AuditTrail::filePathFor(session().target().url, actor.workspace), this);
        connect(m_audit, &AuditRecorder::failed, this,
                [this](const QString& message) { out().note(tr("Audit trail: %1").arg(message)); });
    }
    return m_audit;
}

void CliCommand::auditApplies(ChangeSet* changes)
{
    audit()->observe(changes);
}

bool CliCommand::readDefaultPermissionOption(std::optional<PermissionLevel>* level)
{
    QString error;
    if (AccessCommand::readDefaultPermission(m_context->parser, level, &error))
        return true;
    fail(ExitCode::Usage, error);
    return false;
}
