#include "server/RequestFramer.h"

#include <QUrl>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace {

// RFC 9110's tchar: what a method or a header name may consist of.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool isToken(const QByteArray& text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

// Field values may hold visible characters, spaces, tabs and obs-text, never other control characters.
bool isFieldValue(const QByteArray& value)
{
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && byte != '\t') || byte == 0x7f;
    });
}

// The methods this server tells apart (MlflowService answers 405 to those it does not route); others get 501.
bool isServedMethod(const QByteArray& method)
{
    static const QList<QByteArray> methods = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"};
    return methods.contains(method);
}

constexpr qint64 maxChunkSizeLineBytes = 1024;

// The options of one Connection header (RFC 9112 9.3): "close" ends the connection after this answer, and wins;
// "keep-alive" keeps an HTTP/1.0 one open.
void readConnectionOptions(const QByteArray& value, bool* close, bool* keepAlive)
{
    for (const QByteArray& option : value.split(',')) {
        const QByteArray name = option.trimmed().toLower();
        *close = *close || name == "close";
        *keepAlive = *keepAlive || name == "keep-alive";
    }
}

} // namespace

QByteArray RequestHead::header(const QByteArray& name) const
{
    for (const auto& header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

bool RequestHead::hasHeader(const QByteArray& name) const
{
    return std::any_of(headers.begin(), headers.end(),
                       [&name](const auto& header) { return header.first.compare(name, Qt::CaseInsensitive) == 0; });
}

namespace {

struct TargetParts
{
    QByteArrayView path;
    QByteArrayView query; // empty when there is none
};

// The one reading of a target: a fragment dropped, then path and query apart at the first '?'.
TargetParts splitTarget(const QByteArray& target)
{
    const qsizetype fragment = target.indexOf('#');
    const QByteArrayView rest = fragment < 0 ? QByteArrayView(target) : QByteArrayView(target).first(fragment);
    const qsizetype question = rest.indexOf('?');
    if (question < 0)
        return {rest, {}};
    return {rest.first(question), rest.sliced(question + 1)};
}

} // namespace

QString RequestHead::decodedPath() const
{
    const QByteArrayView path = splitTarget(target).path;
    // Most paths have nothing encoded; QUrl's decoder is the slow way to learn that.
    return path.contains('%') ? QUrl::fromPercentEncoding(path.toByteArray()) : QString::fromUtf8(path);
}

QByteArray RequestHead::query() const
{
    return splitTarget(target).query.toByteArray();
}

RequestFramer::RequestFramer(const ConnectionLimits& limits) : m_limits(limits), m_bodyLimit(limits.maxBodyBytes) {}

bool RequestFramer::inBody() const
{
    switch (m_state) {
    case State::FixedBody:
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkDataEnd:
    case State::Trailers:
        return true;
    default:
        return false;
    }
}

RequestFramer::Event RequestFramer::violation(int status, const QString& message)
{
    m_state = State::Failed;
    m_violationStatus = status;
    m_violationMessage = message;
    return Event::Violation;
}

RequestFramer::Event RequestFramer::advance(const char* data, qint64 size, qint64* offset)
{
    for (;;) {
        if (m_state == State::Failed) {
            *offset = size;
            return Event::Violation;
        }
        if (m_state == State::FixedBody && m_bodyRemaining == 0)
            return finishMessage();
        if (*offset >= size)
            return Event::NeedMore;

        switch (m_state) {
        case State::Start:
            // Line ends left over after a body, which some clients send and Qt skips, start no request.
            if (data[*offset] == '\r' || data[*offset] == '\n') {
                ++*offset;
                break;
            }
            m_head = RequestHead();
            m_body.clear();
            m_line.clear();
            m_headBytes = 0;
            m_trailerBytes = 0;
            m_bodyLimit = m_limits.maxBodyBytes;
            m_bodyRemaining = 0;
            m_bodyReceived = 0;
            m_requestBytes = 0;
            m_state = State::RequestLine;
            break;
        case State::FixedBody:
        case State::ChunkData: {
            if (m_bodyReceived + m_bodyRemaining > m_bodyLimit)
                return violation(413, QStringLiteral("The request body is larger than %1 bytes.").arg(m_bodyLimit));
            const qint64 take = std::min(m_bodyRemaining, size - *offset);
            m_body.append(data + *offset, take);
            *offset += take;
            m_bodyRemaining -= take;
            m_bodyReceived += take;
            m_requestBytes += take;
            if (m_bodyRemaining == 0 && m_state == State::ChunkData)
                m_state = State::ChunkDataEnd;
            break;
        }
        case State::RequestLine:
        case State::Headers:
        case State::ChunkSize:
        case State::ChunkDataEnd:
        case State::Trailers: {
            Event event = Event::NeedMore;
            switch (m_state) {
            case State::RequestLine:
                event = takeLine(data, size, offset, m_limits.maxRequestLineBytes, 414,
                                 "The request line is longer than %1 bytes; shorten the URL (send long parameters in "
                                 "a POST body).");
                break;
            case State::Headers:
            case State::Trailers:
                event = takeLine(data, size, offset, m_limits.maxHeaderFieldBytes, 431,
                                 "A header field is longer than %1 bytes; send shorter headers.");
                break;
            case State::ChunkSize:
                event = takeLine(data, size, offset, maxChunkSizeLineBytes, 400,
                                 "A chunk-size line is longer than %1 bytes.");
                break;
            default:
                event = takeLine(data, size, offset, 0, 400,
                                 "Chunk data is not followed by CR LF; the chunked body is malformed.");
                break;
            }
            if (event != Event::NeedMore)
                return event;
            if (!m_lineComplete)
                return Event::NeedMore;
            m_lineComplete = false;
            switch (m_state) {
            case State::RequestLine:
                event = onRequestLine();
                break;
            case State::Headers:
                event = onHeaderLine();
                break;
            case State::ChunkSize:
                event = onChunkSizeLine();
                break;
            case State::Trailers:
                event = onTrailerLine();
                break;
            default:
                m_state = State::ChunkSize; // the empty line after a chunk's data
                break;
            }
            m_line.clear();
            if (event != Event::NeedMore)
                return event;
            break;
        }
        case State::Failed:
            break;
        }
    }
}

// Moves the bytes up to and including the next LF into m_line (without the line end), refusing a line longer
// than `limit` as soon as it is known to be: memory stays bounded by the limit, not by what the client sends.
// `what` is the refusal's message (%1: the limit), worded only when a line is refused: every header line of every
// request passes here.
RequestFramer::Event RequestFramer::takeLine(const char* data, qint64 size, qint64* offset, qint64 limit, int status,
                                             const char* what)
{
    const char* start = data + *offset;
    const qint64 available = size - *offset;
    const auto* lineFeed = static_cast<const char*>(std::memchr(start, '\n', static_cast<size_t>(available)));
    const qint64 take = lineFeed ? (lineFeed - start) + 1 : available;
    const qint64 content = take - (lineFeed ? 1 : 0);
    qint64 length = m_line.size() + content;
    if (lineFeed && length > 0 && (content > 0 ? start[content - 1] : m_line.back()) == '\r')
        --length;
    // An unfinished line may still end in the CR of its CR LF.
    if (length > limit + (lineFeed ? 0 : 1)) {
        const QString message = QString::fromLatin1(what);
        return violation(status, message.contains(QLatin1String("%1")) ? message.arg(limit) : message);
    }
    if (m_state == State::RequestLine || m_state == State::Headers) {
        m_headBytes += take;
        if (m_headBytes > m_limits.maxHeaderBytes)
            return violation(431, QStringLiteral("The request line and headers are larger than %1 bytes together; "
                                                 "send fewer or shorter headers.")
                                      .arg(m_limits.maxHeaderBytes));
    } else if (m_state == State::Trailers) {
        m_trailerBytes += take;
        if (m_trailerBytes > m_limits.maxHeaderBytes)
            return violation(
                431,
                QStringLiteral("The chunked body's trailers are larger than %1 bytes.").arg(m_limits.maxHeaderBytes));
    }
    m_line.append(start, content);
    *offset += take;
    m_requestBytes += take;
    if (lineFeed) {
        if (m_line.endsWith('\r'))
            m_line.chop(1);
        m_lineComplete = true;
    }
    return Event::NeedMore;
}

RequestFramer::Event RequestFramer::onRequestLine()
{
    // RFC 9112 2.2: a server should ignore empty lines before a request line (they still count toward its size).
    if (m_line.isEmpty())
        return Event::NeedMore;
    const QList<QByteArray> parts = m_line.split(' ');
    if (parts.size() != 3 || parts.at(1).isEmpty())
        return violation(400, QStringLiteral("The request line is not 'METHOD target HTTP/1.1'."));
    const QByteArray& method = parts.at(0);
    const QByteArray& target = parts.at(1);
    const QByteArray& version = parts.at(2);
    if (!isToken(method))
        return violation(400, QStringLiteral("The request method is not a valid token."));
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        if (version.startsWith("HTTP/"))
            return violation(505, QStringLiteral("Only HTTP/1.1 and HTTP/1.0 are served."));
        return violation(400, QStringLiteral("The request line is not 'METHOD target HTTP/1.1'."));
    }
    if (!isServedMethod(method))
        return violation(501, QStringLiteral("The method %1 is not served here.").arg(QString::fromLatin1(method)));
    const bool targetOk =
        std::none_of(
            target.begin(), target.end(),
            [](char c) { return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) == 0x7f; }) &&
        (target.startsWith('/') || (target == "*" && method == "OPTIONS"));
    // An absolute URL as target (proxy style) would name a host other than the Host header that was checked.
    if (!targetOk)
        return violation(400, QStringLiteral("The request target is not a path such as /api/2.0/mlflow/..."));
    m_head.method = method;
    m_head.target = target;
    m_head.keepAlive = version == "HTTP/1.1"; // HTTP/1.0 closes unless it asks otherwise (below)
    m_state = State::Headers;
    return Event::NeedMore;
}

RequestFramer::Event RequestFramer::onHeaderLine()
{
    if (m_line.isEmpty())
        return onHeadersComplete();
    // Obsolete line folding lets two parsers disagree on where a header ends (RFC 9112 5.2: reject it).
    if (m_line.front() == ' ' || m_line.front() == '\t')
        return violation(400, QStringLiteral("Header lines must not be folded."));
    const int colon = m_line.indexOf(':');
    const QByteArray name = colon > 0 ? m_line.left(colon) : QByteArray();
    if (!isToken(name))
        return violation(400, QStringLiteral("A header line is not 'Name: value'."));
    const QByteArray value = m_line.mid(colon + 1).trimmed();
    if (!isFieldValue(value))
        return violation(400, QStringLiteral("The header %1 holds control characters.").arg(QString::fromLatin1(name)));
    if (m_head.headers.size() >= m_limits.maxHeaderCount)
        return violation(
            431,
            QStringLiteral("The request has more than %1 header fields; send fewer.").arg(m_limits.maxHeaderCount));
    m_head.headers.append(qMakePair(name, value));
    return Event::NeedMore;
}

// Decides how the body is framed. Everything two parsers could frame differently is refused (RFC 9112 6.3).
RequestFramer::Event RequestFramer::onHeadersComplete()
{
    QList<QByteArray> lengths;
    QList<QByteArray> encodings;
    int hosts = 0;
    bool close = false;
    bool keepAlive = false;
    for (const auto& header : std::as_const(m_head.headers)) {
        if (header.first.compare("content-length", Qt::CaseInsensitive) == 0)
            lengths.append(header.second);
        else if (header.first.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            encodings.append(header.second);
        else if (header.first.compare("host", Qt::CaseInsensitive) == 0)
            ++hosts;
        else if (header.first.compare("connection", Qt::CaseInsensitive) == 0)
            readConnectionOptions(header.second, &close, &keepAlive);
    }
    m_head.keepAlive = !close && (m_head.keepAlive || keepAlive);
    if (hosts > 1)
        return violation(400, QStringLiteral("The request has more than one Host header."));
    if (!encodings.isEmpty()) {
        if (!lengths.isEmpty())
            return violation(400, QStringLiteral("The request has both Content-Length and Transfer-Encoding."));
        if (encodings.size() > 1 || encodings.first().toLower() != "chunked")
            return violation(501, QStringLiteral("Only Transfer-Encoding: chunked is served."));
        m_head.chunked = true;
        m_state = State::ChunkSize;
        return Event::HeadComplete;
    }
    if (!lengths.isEmpty()) {
        const QByteArray& first = lengths.first();
        const bool digits = !first.isEmpty() && first.size() <= 18 &&
                            std::all_of(first.begin(), first.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits ||
            std::any_of(lengths.begin(), lengths.end(), [&first](const QByteArray& l) { return l != first; }))
            return violation(400, QStringLiteral("The Content-Length header is not one decimal number."));
        m_head.contentLength = first.toLongLong();
    }
    m_bodyRemaining = m_head.contentLength;
    m_state = State::FixedBody;
    return Event::HeadComplete;
}

RequestFramer::Event RequestFramer::onChunkSizeLine()
{
    QByteArray sizeText = m_line;
    const int semicolon = sizeText.indexOf(';');
    if (semicolon >= 0)
        sizeText.truncate(semicolon);
    sizeText = sizeText.trimmed();
    bool ok = sizeText.size() <= 15 && std::all_of(sizeText.begin(), sizeText.end(),
                                                   [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    const qint64 chunk = ok ? sizeText.toLongLong(&ok, 16) : 0;
    if (!ok)
        return violation(400, QStringLiteral("A chunk size is not a hexadecimal number."));
    if (chunk == 0) {
        m_state = State::Trailers;
        return Event::NeedMore;
    }
    if (m_bodyReceived + chunk > m_bodyLimit)
        return violation(413, QStringLiteral("The request body is larger than %1 bytes.").arg(m_bodyLimit));
    m_bodyRemaining = chunk;
    m_state = State::ChunkData;
    return Event::NeedMore;
}

RequestFramer::Event RequestFramer::onTrailerLine()
{
    if (m_line.isEmpty())
        return finishMessage();
    const int colon = m_line.indexOf(':');
    if (colon <= 0 || !isToken(m_line.left(colon)) || !isFieldValue(m_line.mid(colon + 1)))
        return violation(400, QStringLiteral("A trailer line is not 'Name: value'."));
    return Event::NeedMore;
}

RequestFramer::Event RequestFramer::finishMessage()
{
    m_state = State::Start;
    return Event::MessageComplete;
}
