#pragma once

// Internal helpers of the api library for building typed jobs on top of ApiReply. Not part of the public API.

#include "api/Connection.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QSet>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <optional>

namespace JobChain {

// An error for an answer that parsed as JSON but lacks what MLflow always sends.
inline ApiError unexpectedAnswer(const ApiReply* reply, const char* missingKey)
{
    ApiError error(ApiError::Kind::NotMlflow,
                   QCoreApplication::translate("JobChain", "The answer lacks \"%1\".").arg(QLatin1String(missingKey)));
    error.setEndpoint(QString::fromLatin1(reply->method()) + QLatin1Char(' ') + reply->path());
    return error;
}

// Finishes `job` with `error` on the next event-loop turn, so the caller can connect to finished() first.
template <typename Job>
Job* failSoon(Job* job, const ApiError& error)
{
    QTimer::singleShot(0, job, [job, error] { job->fail(error); });
    return job;
}

// A ValueJob<T> that finishes when `reply` does, with `parse(reply)` as its value; parse returns nullopt and sets
// the error for an answer it cannot use.
template <typename T, typename Parse>
ValueJob<T>* map(ApiReply* reply, QObject* parent, Parse parse)
{
    auto* job = new ValueJob<T>(parent);
    job->follow(reply);
    QObject::connect(reply, &ApiJob::finished, job, [job, reply, parse] {
        if (reply->hasError()) {
            job->fail(reply->error());
            return;
        }
        ApiError error;
        std::optional<T> value = parse(reply, &error);
        if (value)
            job->succeed(std::move(*value));
        else
            job->fail(error);
    });
    return job;
}

// Like map, for answers too big to parse on the caller's thread: `parse(body, &error)` runs on Qt's thread pool
// and sees only the body's bytes. The job finishes on its own thread; a job deleted meanwhile drops the value.
template <typename T, typename Parse>
ValueJob<T>* mapInBackground(ApiReply* reply, QObject* parent, Parse parse)
{
    struct Parsed
    {
        std::optional<T> value;
        ApiError error;
    };
    auto* job = new ValueJob<T>(parent);
    job->follow(reply);
    QObject::connect(reply, &ApiJob::finished, job, [job, reply, parse] {
        if (reply->hasError()) {
            job->fail(reply->error());
            return;
        }
        auto* watcher = new QFutureWatcher<Parsed>(job);
        QObject::connect(watcher, &QFutureWatcherBase::finished, job, [job, watcher] {
            Parsed parsed = watcher->result();
            watcher->deleteLater();
            if (parsed.value)
                job->succeed(std::move(*parsed.value));
            else
                job->fail(parsed.error);
        });
        watcher->setFuture(QtConcurrent::run([parse, body = reply->body()] {
            Parsed parsed;
            parsed.value = parse(body, &parsed.error);
            return parsed;
        }));
    });
    return job;
}

// Runs page after page: `request(token)` sends one page, `consume(reply, &nextToken, &error)` takes its items.
// Lives as a child of its job, so it dies with it. A repeated token ends the walk with an error instead of
// looping forever on a misbehaving server.
class PageWalker : public QObject
{
public:
    using Request = std::function<ApiReply*(const QString& pageToken)>;
    using Consume = std::function<bool(const ApiReply* reply, QString* nextToken, ApiError* error)>;

    PageWalker(ApiJob* job, Request request, Consume consume)
        : QObject(job), m_job(job), m_request(std::move(request)), m_consume(std::move(consume))
    {}

    void fetch(const QString& token)
    {
        ApiReply* reply = m_request(token);
        m_job->follow(reply);
        QObject::connect(reply, &ApiJob::finished, this, [this, reply] {
            if (m_job->isFinished())
                return;
            if (reply->hasError()) {
                m_job->fail(reply->error());
                return;
            }
            QString next;
            ApiError error;
            if (!m_consume(reply, &next, &error)) {
                m_job->fail(error);
                return;
            }
            if (next.isEmpty()) {
                m_done();
                return;
            }
            if (m_seenTokens.contains(next)) {
                m_job->fail(ApiError(ApiError::Kind::NotMlflow,
                                     QCoreApplication::translate("JobChain", "The server repeated a page token.")));
                return;
            }
            m_seenTokens.insert(next);
            fetch(next);
        });
    }

    void setDone(std::function<void()> done) { m_done = std::move(done); }

private:
    ApiJob* m_job;
    Request m_request;
    Consume m_consume;
    std::function<void()> m_done;
    QSet<QString> m_seenTokens;
};

} // namespace JobChain
