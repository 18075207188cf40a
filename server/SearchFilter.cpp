#include "server/SearchFilter.h"

#include "server/MlflowError.h"

namespace SearchFilter {

namespace {

enum class TokenType { Identifier, Comparator, String, Number, Keyword, End };

struct Token
{
    TokenType type = TokenType::End;
    Entity entity = Entity::Attribute;
    Comparator comparator = Comparator::Equal;
    QString text; // identifier key, unquoted string, number literal or upper-case keyword
    QString raw;  // as written, for error messages
};

bool isKeyChar(QChar c)
{
    static const QString stops = QStringLiteral("=!<>'\"`(),");
    return !c.isSpace() && !stops.contains(c);
}

// Splits a filter or order_by string into tokens. Keys after an entity prefix may be bare (tags.mlflow.user) or
// quoted with backticks or double quotes (tags.`my key`); string values use single or double quotes, where a
// doubled quote or a backslash before the quote stands for the quote itself.
class Lexer
{
public:
    Lexer(const QString& input, QString errorPrefix) : m_input(input), m_errorPrefix(std::move(errorPrefix)) {}

    [[noreturn]] void fail(const QString& reason) const { throw MlflowError::invalidParameter(m_errorPrefix + reason); }

    Token next()
    {
        while (m_pos < m_input.size() && m_input.at(m_pos).isSpace())
            ++m_pos;
        Token token;
        if (m_pos >= m_input.size())
            return token;
        const qsizetype start = m_pos;
        const QChar c = m_input.at(m_pos);
        if (c.isLetter() || c == u'_') {
            token = word();
        } else if (c == u'`') {
            token.type = TokenType::Identifier;
            token.text = quoted(u'`');
        } else if (c == u'\'' || c == u'"') {
            token.type = TokenType::String;
            token.text = quoted(c);
        } else if (c.isDigit() || ((c == u'-' || c == u'+' || c == u'.') && m_pos + 1 < m_input.size() &&
                                   (m_input.at(m_pos + 1).isDigit() || m_input.at(m_pos + 1) == u'.'))) {
            token = number();
        } else if (c == u'=' || c == u'!' || c == u'<' || c == u'>') {
            token = comparator();
        } else {
            fail(QStringLiteral("unexpected character '%1' at position %2").arg(c).arg(m_pos));
        }
        token.raw = m_input.mid(start, m_pos - start);
        return token;
    }

private:
    Token word()
    {
        const qsizetype start = m_pos;
        while (m_pos < m_input.size() && (m_input.at(m_pos).isLetterOrNumber() || m_input.at(m_pos) == u'_'))
            ++m_pos;
        const QString text = m_input.mid(start, m_pos - start);
        Token token;
        if (m_pos < m_input.size() && m_input.at(m_pos) == u'.') {
            token.type = TokenType::Identifier;
            token.entity = entityFromPrefix(text);
            ++m_pos;
            if (m_pos < m_input.size() && (m_input.at(m_pos) == u'`' || m_input.at(m_pos) == u'"')) {
                token.text = quoted(m_input.at(m_pos));
            } else {
                const qsizetype keyStart = m_pos;
                while (m_pos < m_input.size() && isKeyChar(m_input.at(m_pos)))
                    ++m_pos;
                token.text = m_input.mid(keyStart, m_pos - keyStart);
            }
            if (token.text.isEmpty())
                fail(QStringLiteral("missing key after '%1.'").arg(text));
            return token;
        }
        static const QStringList keywords = {QStringLiteral("AND"),  QStringLiteral("OR"),   QStringLiteral("NOT"),
                                             QStringLiteral("IN"),   QStringLiteral("IS"),   QStringLiteral("NULL"),
                                             QStringLiteral("ASC"),  QStringLiteral("DESC"), QStringLiteral("LIKE"),
                                             QStringLiteral("ILIKE")};
        const QString upper = text.toUpper();
        if (upper == QLatin1String("LIKE") || upper == QLatin1String("ILIKE")) {
            token.type = TokenType::Comparator;
            token.comparator = upper == QLatin1String("LIKE") ? Comparator::Like : Comparator::ILike;
        } else if (keywords.contains(upper)) {
            token.type = TokenType::Keyword;
            token.text = upper;
        } else {
            token.type = TokenType::Identifier;
            token.text = text;
        }
        return token;
    }

    Entity entityFromPrefix(const QString& prefix) const
    {
        const QString lower = prefix.toLower();
        if (lower == QLatin1String("attribute") || lower == QLatin1String("attributes") ||
            lower == QLatin1String("attr") || lower == QLatin1String("run"))
            return Entity::Attribute;
        if (lower == QLatin1String("tag") || lower == QLatin1String("tags"))
            return Entity::Tag;
        if (lower == QLatin1String("metric") || lower == QLatin1String("metrics"))
            return Entity::Metric;
        if (lower == QLatin1String("param") || lower == QLatin1String("params") ||
            lower == QLatin1String("parameter") || lower == QLatin1String("parameters"))
            return Entity::Param;
        fail(QStringLiteral("unknown entity type '%1'; use attributes., tags., metrics. or params.").arg(prefix));
    }

    QString quoted(QChar quote)
    {
        const qsizetype start = m_pos;
        ++m_pos;
        QString text;
        while (m_pos < m_input.size()) {
            const QChar c = m_input.at(m_pos);
            if (c == quote) {
                if (m_pos + 1 < m_input.size() && m_input.at(m_pos + 1) == quote) {
                    text.append(quote);
                    m_pos += 2;
                    continue;
                }
                ++m_pos;
                return text;
            }
            if (c == u'\\' && m_pos + 1 < m_input.size() && m_input.at(m_pos + 1) == quote) {
                text.append(quote);
                m_pos += 2;
                continue;
            }
            text.append(c);
            ++m_pos;
        }
        fail(QStringLiteral("unterminated quote %1 starting at position %2").arg(quote).arg(start));
    }

    Token number()
    {
        const qsizetype start = m_pos;
        ++m_pos;
        while (m_pos < m_input.size()) {
            const QChar c = m_input.at(m_pos);
            const bool exponentSign =
                (c == u'-' || c == u'+') && (m_input.at(m_pos - 1) == u'e' || m_input.at(m_pos - 1) == u'E');
            if (!(c.isDigit() || c == u'.' || c == u'e' || c == u'E' || exponentSign))
                break;
            ++m_pos;
        }
        Token token;
        token.type = TokenType::Number;
        token.text = m_input.mid(start, m_pos - start);
        bool ok = false;
        token.text.toDouble(&ok);
        if (!ok)
            fail(QStringLiteral("'%1' is not a number").arg(token.text));
        return token;
    }

    Token comparator()
    {
        Token token;
        token.type = TokenType::Comparator;
        const QChar c = m_input.at(m_pos);
        const QChar following = m_pos + 1 < m_input.size() ? m_input.at(m_pos + 1) : QChar();
        m_pos += following == u'=' ? 2 : 1;
        if (c == u'=') {
            if (following == u'=')
                fail(QStringLiteral("'==' is not a comparator; use '='"));
            token.comparator = Comparator::Equal;
        } else if (c == u'!') {
            if (following != u'=')
                fail(QStringLiteral("'!' must be followed by '='"));
            token.comparator = Comparator::NotEqual;
        } else if (c == u'<') {
            if (following == u'>')
                fail(QStringLiteral("'<>' is not supported; use '!='"));
            token.comparator = following == u'=' ? Comparator::LessEqual : Comparator::Less;
        } else {
            token.comparator = following == u'=' ? Comparator::GreaterEqual : Comparator::Greater;
        }
        return token;
    }

    QString m_input;
    QString m_errorPrefix;
    qsizetype m_pos = 0;
};

} // namespace

QList<Clause> parseFilter(const QString& filter)
{
    QList<Clause> clauses;
    if (filter.trimmed().isEmpty())
        return clauses;
    Lexer lexer(filter, QStringLiteral("Invalid filter '%1': ").arg(filter));
    const QString comparators = QStringLiteral("=, !=, <, <=, >, >=, LIKE, ILIKE");
    for (;;) {
        const Token key = lexer.next();
        if (key.type != TokenType::Identifier) {
            lexer.fail(key.type == TokenType::End
                           ? QStringLiteral("expected a key such as name or tags.<key> at the end")
                           : QStringLiteral("expected a key such as name or tags.<key>, found '%1'").arg(key.raw));
        }
        const Token op = lexer.next();
        if (op.type != TokenType::Comparator) {
            if (op.type == TokenType::Keyword)
                lexer.fail(QStringLiteral("'%1' is not supported; comparators are %2").arg(op.raw, comparators));
            lexer.fail(QStringLiteral("expected a comparator (%1) after '%2'").arg(comparators, key.raw));
        }
        const Token value = lexer.next();
        if (value.type != TokenType::String && value.type != TokenType::Number) {
            lexer.fail(QStringLiteral("expected a quoted string or a number after '%1 %2'").arg(key.raw, op.raw));
        }
        Clause clause;
        clause.entity = key.entity;
        clause.key = key.text;
        clause.comparator = op.comparator;
        clause.quoted = value.type == TokenType::String;
        clause.value = value.text;
        clauses.append(clause);

        const Token separator = lexer.next();
        if (separator.type == TokenType::End)
            break;
        if (separator.type == TokenType::Keyword && separator.text == QLatin1String("AND"))
            continue;
        if (separator.type == TokenType::Keyword && separator.text == QLatin1String("OR"))
            lexer.fail(QStringLiteral("OR is not supported; join clauses with AND"));
        lexer.fail(QStringLiteral("expected AND between clauses, found '%1'").arg(separator.raw));
    }
    return clauses;
}

OrderTerm parseOrderBy(const QString& orderBy)
{
    Lexer lexer(orderBy, QStringLiteral("Invalid order_by clause '%1': ").arg(orderBy));
    const Token key = lexer.next();
    if (key.type != TokenType::Identifier)
        lexer.fail(QStringLiteral("expected a key to order by"));
    OrderTerm term;
    term.entity = key.entity;
    term.key = key.text;
    const Token direction = lexer.next();
    if (direction.type == TokenType::End)
        return term;
    if (direction.type != TokenType::Keyword ||
        (direction.text != QLatin1String("ASC") && direction.text != QLatin1String("DESC")))
        lexer.fail(QStringLiteral("expected ASC or DESC after '%1', found '%2'").arg(key.raw, direction.raw));
    term.ascending = direction.text == QLatin1String("ASC");
    const Token end = lexer.next();
    if (end.type != TokenType::End)
        lexer.fail(QStringLiteral("unexpected '%1' after '%2'").arg(end.raw, direction.raw));
    return term;
}

QString comparatorText(Comparator comparator)
{
    switch (comparator) {
    case Comparator::Equal:
        return QStringLiteral("=");
    case Comparator::NotEqual:
        return QStringLiteral("!=");
    case Comparator::Less:
        return QStringLiteral("<");
    case Comparator::LessEqual:
        return QStringLiteral("<=");
    case Comparator::Greater:
        return QStringLiteral(">");
    case Comparator::GreaterEqual:
        return QStringLiteral(">=");
    case Comparator::Like:
        return QStringLiteral("LIKE");
    case Comparator::ILike:
        return QStringLiteral("ILIKE");
    }
    return QString();
}

QString entityText(Entity entity)
{
    switch (entity) {
    case Entity::Attribute:
        return QStringLiteral("attribute");
    case Entity::Tag:
        return QStringLiteral("tag");
    case Entity::Metric:
        return QStringLiteral("metric");
    case Entity::Param:
        return QStringLiteral("param");
    }
    return QString();
}

QString likeToGlob(const QString& pattern)
{
    QString glob;
    glob.reserve(pattern.size() + 8);
    for (const QChar c : pattern) {
        if (c == u'%')
            glob.append(u'*');
        else if (c == u'_')
            glob.append(u'?');
        else if (c == u'*' || c == u'?' || c == u'[')
            glob.append(u'[').append(c).append(u']');
        else
            glob.append(c);
    }
    return glob;
}

} // namespace SearchFilter
