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

bool PasswordCheckPool::submit(const QByteArray& storedHash, const QByteArray& password, std::function<void(bool)> done)
{
    if (m_pending >= m_maxQueued)
        return false;
    ++m_pending;
    m_workers.start([this, storedHash, password, done = std::move(done)]() mutable {
        const bool valid = PasswordHash::verify(storedHash, password);
        QMetaObject::invokeMethod(
            this,
            [this, valid, done = std::move(done)] {
                --m_pending;
                done(valid);
            },
            Qt::QueuedConnection);
    });
    return true;
}
