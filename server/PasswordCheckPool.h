#pragma once

#include <QByteArray>
#include <QObject>
#include <QThreadPool>

#include <functional>

// Runs password key derivations (a few hundred milliseconds each) on a few worker threads, so that the thread that
// serves requests keeps answering everyone else while a password is checked or hashed. Results come back, queued,
// on the thread that owns the pool. The queue is bounded: when it is full, submit() refuses at once instead of
// letting waiting work pile up.
class PasswordCheckPool : public QObject
{
    Q_OBJECT

public:
    // threads 0: one less than the cores (at least 1, at most 4), so a core stays free for the request thread.
    explicit PasswordCheckPool(int threads = 0, int maxQueued = 64, QObject* parent = nullptr);
    // Waits for running derivations; their results are dropped.
    ~PasswordCheckPool() override;

    int threadCount() const;
    // Verifies `password` against `storedHash` on a worker and calls `done(valid)` on this object's thread.
    // Returns false, and never calls `done`, when the queue is full.
    bool submit(const QByteArray& storedHash, const QByteArray& password, std::function<void(bool)> done);
    // Hashes `password` with the default method and a fresh salt on a worker (users/create, password changes) and
    // calls `done(hash)` on this object's thread. Returns false, and never calls `done`, when the queue is full.
    bool submitHash(const QByteArray& password, std::function<void(QByteArray)> done);

private:
    // `work` runs on a worker and returns what to run on this object's thread.
    bool start(std::function<std::function<void()>()> work);

    QThreadPool m_workers;
    int m_maxQueued;
    int m_pending = 0;
};
