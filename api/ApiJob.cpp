#include "api/ApiJob.h"

ApiJob::ApiJob(QObject* parent) : QObject(parent) {}

void ApiJob::abort()
{
    if (m_finished)
        return;
    // The inner job finishes with Cancelled and its producer passes that on to us.
    if (m_inner && !m_inner->isFinished()) {
        m_inner->abort();
        if (m_finished)
            return;
    }
    fail(ApiError(ApiError::Kind::Cancelled));
}

void ApiJob::fail(const ApiError& error)
{
    if (m_finished)
        return;
    m_error = error.isError() ? error : ApiError(ApiError::Kind::Cancelled);
    finish();
}

void ApiJob::succeed()
{
    if (m_finished)
        return;
    finish();
}

void ApiJob::follow(ApiJob* inner)
{
    m_inner = inner;
    if (inner)
        connect(inner, &ApiJob::finished, this,
                [this, inner] { setExchange(inner->m_lastRequest, inner->m_lastHttpStatus); });
}

void ApiJob::setExchange(const QString& request, int httpStatus)
{
    if (request.isEmpty())
        return;
    m_lastRequest = request;
    m_lastHttpStatus = httpStatus;
}

void ApiJob::finish()
{
    m_finished = true;
    m_inner = nullptr;
    emit finished();
    if (m_autoDelete)
        deleteLater();
}
