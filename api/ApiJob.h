#pragma once

#include "api/ApiError.h"

#include <QObject>
#include <QPointer>

// One asynchronous operation (KeePassXC / Nextcloud style): it emits finished() exactly once, then carries either
// a result or an ApiError. By default it deletes itself (deleteLater) after finished(), so read it inside the
// slot, or call setAutoDelete(false) and delete it yourself.
class ApiJob : public QObject
{
    Q_OBJECT

public:
    explicit ApiJob(QObject* parent = nullptr);

    bool isFinished() const { return m_finished; }
    bool hasError() const { return m_error.isError(); }
    const ApiError& error() const { return m_error; }

    void setAutoDelete(bool autoDelete) { m_autoDelete = autoDelete; }
    bool autoDelete() const { return m_autoDelete; }

    // Stops the work; the job then finishes with a Cancelled error (unless it has finished already).
    virtual void abort();

    // For producers: end the job. Calls after the first are ignored.
    void fail(const ApiError& error);
    void succeed();

    // For producers that run one inner job after another: abort() is forwarded to the current inner job, and the
    // inner job's request and HTTP status become this job's when it finishes.
    void follow(ApiJob* inner);

    // The last HTTP request this job sent ("POST /api/2.0/mlflow/users/create") and the status it answered with (0:
    // no answer, or nothing sent). What the audit trail records for successes, which carry no ApiError.
    QString lastRequest() const { return m_lastRequest; }
    int lastHttpStatus() const { return m_lastHttpStatus; }
    void setExchange(const QString& request, int httpStatus);

signals:
    void finished();

protected:
    void finish();

private:
    ApiError m_error;
    QPointer<ApiJob> m_inner;
    QString m_lastRequest;
    int m_lastHttpStatus = 0;
    bool m_finished = false;
    bool m_autoDelete = true;
};

// A job whose success carries a value of type T. (A template cannot declare signals; it inherits finished().)
template <typename T>
class ValueJob : public ApiJob
{
public:
    explicit ValueJob(QObject* parent = nullptr) : ApiJob(parent) {}

    const T& value() const { return m_value; }

    void succeed(T value)
    {
        if (isFinished())
            return;
        m_value = std::move(value);
        ApiJob::succeed();
    }

private:
    T m_value{};
};
