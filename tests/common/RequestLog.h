#pragma once

// Counts the requests a Connection sends, for tests that assert how many calls something takes.

#include <QLoggingCategory>
#include <QString>
#include <QStringList>

#include <algorithm>

// Every request the Connection finished while it lives ("GET /api/2.0/mlflow/users/list"), read from the api
// category's debug line that Connection writes per reply: requests are counted on the client, as sent.
class RequestLog
{
public:
    RequestLog()
    {
        s_current = this;
        QLoggingCategory::setFilterRules(QStringLiteral("mlflowadmin.api.debug=true"));
        m_previous = qInstallMessageHandler(&RequestLog::handle);
    }
    ~RequestLog()
    {
        qInstallMessageHandler(m_previous);
        QLoggingCategory::setFilterRules(QString());
        s_current = nullptr;
    }
    RequestLog(const RequestLog&) = delete;
    RequestLog& operator=(const RequestLog&) = delete;

    QStringList requests() const { return m_requests; }
    int count(const QString& endpoint) const
    {
        return static_cast<int>(std::count_if(m_requests.cbegin(), m_requests.cend(), [&](const QString& request) {
            return request.section(QLatin1Char('?'), 0, 0) == endpoint;
        }));
    }

private:
    static void handle(QtMsgType type, const QMessageLogContext& context, const QString& message)
    {
        if (s_current && type == QtDebugMsg && qstrcmp(context.category, "mlflowadmin.api") == 0 &&
            message.contains(QLatin1String(" -> "))) {
            s_current->m_requests.append(message.section(QLatin1String(" -> "), 0, 0));
            return;
        }
        if (s_current && s_current->m_previous)
            s_current->m_previous(type, context, message);
    }

    static inline RequestLog* s_current = nullptr;
    QtMessageHandler m_previous = nullptr;
    QStringList m_requests;
};
