#include "api/UserListReader.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstring>

namespace {

// Walks JSON text without building it. Only structure is checked here; every value the listing keeps goes through
// QJsonDocument, which checks the rest.
class JsonWalker
{
public:
    JsonWalker(const char* begin, const char* end) : m_pos(begin), m_end(end) {}

    const char* position() const { return m_pos; }
    qsizetype remaining() const { return m_end - m_pos; }
    // Moves past `length` bytes the caller has already recognised.
    void advance(qsizetype length) { m_pos += std::min(length, remaining()); }
    bool atEnd()
    {
        skipSpace();
        return m_pos == m_end;
    }

    void skipSpace()
    {
        while (m_pos < m_end && (*m_pos == ' ' || *m_pos == '\n' || *m_pos == '\r' || *m_pos == '\t'))
            ++m_pos;
    }

    // Consumes `c` (after white space) when it comes next.
    bool take(char c)
    {
        skipSpace();
        if (m_pos < m_end && *m_pos == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    // An object key and its colon, as raw text (MLflow's keys carry no escapes).
    bool key(QByteArrayView* name)
    {
        skipSpace();
        const char* start = m_pos;
        if (!skipString())
            return false;
        *name = QByteArrayView(start + 1, m_pos - start - 2);
        return take(':');
    }

    // Skips one value of any kind; false on text that cannot be JSON.
    bool skipValue()
    {
        skipSpace();
        if (m_pos >= m_end)
            return false;
        if (*m_pos == '"')
            return skipString();
        if (*m_pos == '{' || *m_pos == '[')
            return skipNested();
        const char* start = m_pos;
        while (m_pos < m_end && !std::strchr(",}] \n\r\t", *m_pos))
            ++m_pos;
        return m_pos > start;
    }

private:
    bool skipString()
    {
        if (m_pos >= m_end || *m_pos != '"')
            return false;
        ++m_pos;
        while (m_pos < m_end) {
            const char c = *m_pos++;
            if (c == '"')
                return true;
            if (c == '\\')
                ++m_pos;
        }
        return false;
    }

    // Brackets are counted, strings skipped; the parse of the kept span checks the rest.
    bool skipNested()
    {
        int depth = 0;
        while (m_pos < m_end) {
            const char c = *m_pos;
            if (c == '"') {
                if (!skipString())
                    return false;
                continue;
            }
            ++m_pos;
            if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return true;
            }
        }
        return false;
    }

    const char* m_pos;
    const char* m_end;
};

// One value's text as QJsonDocument reads it (scalars are wrapped in an array, which fromJson requires).
std::optional<QJsonValue> parseValue(const char* begin, const char* end)
{
    QByteArray text;
    text.reserve(end - begin + 2);
    text.append('[').append(begin, end - begin).append(']');
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return std::nullopt;
    return document.array().at(0);
}

QString notAUserList(const char* what)
{
    return QCoreApplication::translate("UserListReader", "The users/list answer is not what MLflow sends (%1).")
        .arg(QCoreApplication::translate("UserListReader", what));
}

class UserListParser
{
public:
    explicit UserListParser(const QByteArray& body) : m_walker(body.constData(), body.constData() + body.size()) {}

    std::optional<UserListing> parse(QString* error)
    {
        UserListing listing;
        listing.source = ListingSource::ServerApi;
        if (!m_walker.take('{'))
            return fail(error, "no JSON object");
        if (m_walker.take('}'))
            return listing; // MLflow leaves out an empty list
        do {
            QByteArrayView name;
            if (!m_walker.key(&name))
                return fail(error, "malformed key");
            if (name != "users") {
                if (!m_walker.skipValue())
                    return fail(error, "malformed value");
                continue;
            }
            if (!m_walker.take('['))
                return fail(error, "\"users\" is not a list");
            if (m_walker.take(']'))
                continue;
            do {
                std::optional<User> user;
                if (!parseUser(&user, error))
                    return std::nullopt;
                // Like a tree parse, a user that User::fromJson refuses is left out, not fatal.
                if (user)
                    listing.users.append(std::move(*user));
            } while (m_walker.take(','));
            if (!m_walker.take(']'))
                return fail(error, "unterminated user list");
        } while (m_walker.take(','));
        if (!m_walker.take('}') || !m_walker.atEnd())
            return fail(error, "unterminated object");
        return listing;
    }

private:
    std::nullopt_t fail(QString* error, const char* what)
    {
        if (error)
            *error = notAUserList(what);
        return std::nullopt;
    }

    // Everything but the roles goes through User::fromJson, the one place that reads a user's fields. False only
    // for text that is not JSON; `user` stays empty for one that fromJson refuses.
    bool parseUser(std::optional<User>* user, QString* error)
    {
        if (!m_walker.take('{')) {
            fail(error, "a user is not an object");
            return false;
        }
        QJsonObject fields;
        QList<Role> roles;
        if (!m_walker.take('}')) {
            do {
                QByteArrayView name;
                if (!m_walker.key(&name)) {
                    fail(error, "malformed key in a user");
                    return false;
                }
                if (name == "roles") {
                    if (!parseRoles(&roles, error))
                        return false;
                    continue;
                }
                m_walker.skipSpace();
                const char* start = m_walker.position();
                const std::optional<QJsonValue> value =
                    m_walker.skipValue() ? parseValue(start, m_walker.position()) : std::nullopt;
                if (!value) {
                    fail(error, "malformed value in a user");
                    return false;
                }
                fields.insert(QString::fromUtf8(name.data(), name.size()), *value);
            } while (m_walker.take(','));
            if (!m_walker.take('}')) {
                fail(error, "unterminated user");
                return false;
            }
        }
        *user = User::fromJson(fields);
        if (*user)
            (*user)->roles = std::move(roles);
        return true;
    }

    bool parseRoles(QList<Role>* roles, QString* error)
    {
        if (!m_walker.take('[')) {
            fail(error, "\"roles\" is not a list");
            return false;
        }
        if (m_walker.take(']'))
            return true;
        do {
            m_walker.skipSpace();
            if (const std::optional<qsizetype> repeated = repeatedRole()) {
                if (const std::optional<Role>& role = m_parsedRoles.at(*repeated))
                    roles->append(*role);
                continue;
            }
            const char* start = m_walker.position();
            if (!m_walker.skipValue()) {
                fail(error, "malformed role");
                return false;
            }
            // The same bytes are the same role: parsed the first time, shared afterwards.
            const QByteArray text = QByteArray::fromRawData(start, m_walker.position() - start);
            auto known = m_roleIndex.constFind(text);
            if (known == m_roleIndex.cend()) {
                const QJsonDocument document = QJsonDocument::fromJson(text);
                if (!document.isObject()) {
                    fail(error, "malformed role");
                    return false;
                }
                // Raw keys are fine: the body outlives this parser.
                known = m_roleIndex.insert(text, m_parsedRoles.size());
                m_parsedRoles.append(Role::fromJson(document.object()));
                m_roleTexts.append(text);
                if (text.size() >= prefixLength)
                    m_largeRoles[text.left(prefixLength)].append(*known);
            }
            if (const std::optional<Role>& role = m_parsedRoles.at(*known))
                roles->append(*role);
        } while (m_walker.take(','));
        if (!m_walker.take(']')) {
            fail(error, "unterminated role list");
            return false;
        }
        return true;
    }

    // A large role seen before, recognised by comparing bytes, without walking its text again: nearly all of a
    // big users/list is the same few roles repeated for every member. The bytes of a complete JSON value fix where
    // it ends, so equal bytes are that same value. Its index in m_parsedRoles, or nullopt when what follows is not
    // a known large role.
    std::optional<qsizetype> repeatedRole()
    {
        if (m_largeRoles.isEmpty() || m_walker.remaining() < prefixLength)
            return std::nullopt;
        const char* start = m_walker.position();
        const auto candidates = m_largeRoles.constFind(QByteArray::fromRawData(start, prefixLength));
        if (candidates == m_largeRoles.cend())
            return std::nullopt;
        for (const qsizetype index : *candidates) {
            const QByteArray& text = m_roleTexts.at(index);
            if (text.size() <= m_walker.remaining() && std::memcmp(start, text.constData(), text.size()) == 0) {
                m_walker.advance(text.size());
                return index;
            }
        }
        return std::nullopt;
    }

    // Long enough to hold a role's id, short enough for a role with one permission.
    static constexpr qsizetype prefixLength = 160;

    JsonWalker m_walker;
    // Each distinct role's text, its index in m_parsedRoles and m_roleTexts.
    QHash<QByteArray, qsizetype> m_roleIndex;
    QList<std::optional<Role>> m_parsedRoles;
    QList<QByteArray> m_roleTexts;
    // The roles of at least prefixLength bytes, by their first prefixLength bytes.
    QHash<QByteArray, QList<qsizetype>> m_largeRoles;
};

} // namespace

std::optional<UserListing> readUserList(const QByteArray& body, QString* error)
{
    return UserListParser(body).parse(error);
}
