#pragma once

#include "server/ConnectionLimits.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <utility>

// The request line and headers of one request, as the client sent them (names keep their case).
struct RequestHead
{
    QByteArray method;
    QByteArray target; // origin-form path and query, as sent
    QList<QPair<QByteArray, QByteArray>> headers;
    qint64 contentLength = 0; // 0 when chunked
    bool chunked = false;
    bool keepAlive = true; // false: the client asked for the connection to close after this request's answer

    QByteArray header(const QByteArray& name) const; // case-insensitive; empty when absent
    bool hasHeader(const QByteArray& name) const;
    // The target split once for everybody who reads it (the screens and the routing): a fragment is the client's
    // own business (browsers never send one) and is dropped; the path is percent-decoded, so that "/%68ealth" is
    // checked and routed as the same "/health".
    QString decodedPath() const;
    QByteArray query() const; // raw, as sent; empty when there is none
};

// Parses HTTP/1.1 requests out of a connection's byte stream (request line, headers, a Content-Length or chunked
// body, then the next request) and enforces ConnectionLimits on it as the bytes arrive, so that memory stays
// bounded by the limits and not by what a client sends. Anything two parsers could frame differently (two lengths,
// obsolete line folding, bad chunk sizes) is refused rather than guessed. It is the server's only HTTP parser:
// Qt HttpServer 6.4 read request heads a byte at a time, which cost about 40 % of a small request's instructions.
class RequestFramer
{
public:
    enum class Event {
        NeedMore,        // every byte given was consumed, or (data null) bytes are needed from *offset on
        HeadComplete,    // head() is ready; the body (if any) follows
        MessageComplete, // the request's last byte was consumed
        Violation,       // violationStatus() / violationMessage(); the connection must be closed
    };

    explicit RequestFramer(const ConnectionLimits& limits);

    // Consumes bytes of data from *offset on, stopping right after the first event; advances *offset.
    Event advance(const char* data, qint64 size, qint64* offset);

    // Lowers the body limit of the current request (after HeadComplete): a body over it is a violation. A
    // Content-Length over it is reported by the caller, which knows why the limit is lower.
    void setBodyLimit(qint64 bytes) { m_bodyLimit = bytes; }
    qint64 bodyLimit() const { return m_bodyLimit; }

    const RequestHead& head() const { return m_head; }
    // The body received so far (decoded when chunked); after MessageComplete, the whole body, handed over.
    QByteArray takeBody() { return std::exchange(m_body, QByteArray()); }
    // Between requests: no byte of the next one seen yet.
    bool atRequestStart() const { return m_state == State::Start; }
    bool inBody() const;
    qint64 bodyBytesReceived() const { return m_bodyReceived; }
    qint64 requestBytesReceived() const { return m_requestBytes; }

    int violationStatus() const { return m_violationStatus; }
    QString violationMessage() const { return m_violationMessage; }

private:
    enum class State { Start, RequestLine, Headers, FixedBody, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Failed };

    Event violation(int status, const QString& message);
    Event takeLine(const char* data, qint64 size, qint64* offset, qint64 limit, int status, const char* what);
    Event onRequestLine();
    Event onHeaderLine();
    Event onHeadersComplete();
    Event onChunkSizeLine();
    Event onTrailerLine();
    Event finishMessage();

    const ConnectionLimits m_limits;
    State m_state = State::Start;
    QByteArray m_line; // the line being read, without its CR LF; bounded by the limit that applies
    bool m_lineComplete = false;
    RequestHead m_head;
    QByteArray m_body;
    qint64 m_headBytes = 0; // request line and header lines with their line ends
    qint64 m_trailerBytes = 0;
    qint64 m_bodyLimit = 0;
    qint64 m_bodyRemaining = 0; // of the fixed body, or of the current chunk
    qint64 m_bodyReceived = 0;
    qint64 m_requestBytes = 0;
    int m_violationStatus = 0;
    QString m_violationMessage;
};
