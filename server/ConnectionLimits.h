#pragma once

#include <QtGlobal>

// What one client may cost the server, enforced per connection as its bytes are parsed. This is the one
// place the defaults live (README, "Security"): sizes follow gunicorn's (request line 4094, header field 8190,
// 100 header fields), timeouts follow what nginx and gunicorn ship, scaled to a small admin server.
struct ConnectionLimits
{
    // Sizes, in bytes.
    qint64 maxRequestLineBytes = 4094;      // longer: 414 URI Too Long
    qint64 maxHeaderFieldBytes = 8190;      // one "Name: value" line; longer: 431
    int maxHeaderCount = 100;               // more header fields: 431
    qint64 maxHeaderBytes = 64 * 1024;      // request line and all header lines; more: 431. At most 79 KiB (below)
    qint64 maxBodyBytes = 16 * 1024 * 1024; // larger bodies: 413
    qint64 maxUnauthenticatedBodyBytes = 64 * 1024;  // a request without Basic credentials needs no body: 413;
                                                     // with credentials not verified yet, a larger body waits
                                                     // unread for the check (refused: 413)
    qint64 maxBufferedBodyBytes = 256 * 1024 * 1024; // all connections' unfinished bodies together; beyond: 503

    // Connections.
    int maxConnections = 500;      // open at once; the next gets 503 with Retry-After and is closed
    int maxRefusalHandshakes = 16; // HTTPS beyond maxConnections: this many handshakes at once only to answer the
                                   // 503 (a plain-text answer means nothing to a TLS client); more are closed
    int retryAfterSeconds = 5;

    // Timeouts, in milliseconds. Each closes the connection; a request cut short gets 408 first.
    int tlsHandshakeTimeoutMs = 10 * 1000; // from accept to an encrypted connection
    int headerTimeoutMs = 10 * 1000;       // from a request's first byte (or the accept) to the end of its headers
    int bodyTimeoutMs = 60 * 1000;         // from the end of the headers to the end of the body
    int idleTimeoutMs = 30 * 1000;         // between requests on a kept-alive connection, and while a response is
                                           // not being read
    int lingerMs = 500; // after a refusal, how long unread input is drained so the client can read the answer

    // The most maxHeaderBytes may be. A head is held whole until it is complete, on every connection at once, so
    // it stays near what common servers accept (nginx 32 KiB, Apache 8 KiB per field); 79 KiB was Qt HttpServer's
    // limit when it parsed requests here, so configurations written then still start.
    static constexpr qint64 headerBytesCeiling = 79 * 1024;
};
