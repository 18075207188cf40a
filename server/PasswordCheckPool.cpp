#include "server/PasswordCheckPool.h"

#include "server/PasswordHash.h"

#include <QThread>

#include <algorithm>

PasswordCheckPool::PasswordCheckPool(int threads, int maxQueued, QObject* parent)
    : QObject(parent), m_maxQueued(std::max(1, maxQueued))
{
    if (threads <= 0)
        threads = std::clamp(QThread::idealThreadCount() - 1, 1, 4);
    m_workers.setMaxThreadCount(threads);
    m_workers.setObjectName(QStringLiteral("password checks"));
}

PasswordCheckPool::~PasswordCheckPool()
{
    // Nothing queued may start, and no running job may post to this object once it is gone: the posted results
    // of finished jobs are discarded with the object.
    m_workers.clear();
    m_workers.waitForDone();
}

int PasswordCheckPool::threadCount() const
{
    return m_workers.maxThreadCount();
}

bool PasswordCheckPool::start(std::function<std::function<void()>()> work)
{
    if (m_pending >= m_maxQueued)
        return false;
    ++m_pending;
    m_workers.start([this, work = std::move(work)] {
        std::function<void()> finish = work();
        QMetaObject::invokeMethod(
            this,
            [this, finish = std::move(finish)] {
                --m_pending;
                finish();
            },
            Qt::QueuedConnection);
    });
    return true;
}

bool PasswordCheckPool::submit(const QByteArray& storedHash, const QByteArray& password, std::function<void(bool)> done)
{
    return start([storedHash, password, done = std::move(done)]() -> std::function<void()> {
        const bool valid = PasswordHash::verify(storedHash, password);
        return [valid, done] {
            done(valid);
        };
    });
}

bool PasswordCheckPool::submitHash(const QByteArray& password, std::function<void(QByteArray)> done)
{
    return start([password, done = std::move(done)]() -> std::function<void()> {
        const QByteArray hash = PasswordHash::generate(password);
        return [hash, done] {
            done(hash);
        };
    });
}
