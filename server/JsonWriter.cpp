#include "server/JsonWriter.h"

#include <QString>

void JsonWriter::beforeValue()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_hasValue.isEmpty()) {
        if (m_hasValue.last())
            m_out += ',';
        m_hasValue.last() = true;
    }
}

JsonWriter& JsonWriter::beginObject()
{
    beforeValue();
    m_out += '{';
    m_hasValue.append(false);
    return *this;
}

JsonWriter& JsonWriter::endObject()
{
    m_out += '}';
    m_hasValue.removeLast();
    return *this;
}

JsonWriter& JsonWriter::beginArray()
{
    beforeValue();
    m_out += '[';
    m_hasValue.append(false);
    return *this;
}

JsonWriter& JsonWriter::endArray()
{
    m_out += ']';
    m_hasValue.removeLast();
    return *this;
}

JsonWriter& JsonWriter::key(QLatin1StringView name)
{
    beforeValue();
    m_out += '"';
    m_out.append(name.data(), name.size());
    m_out += "\":";
    m_afterKey = true;
    return *this;
}

JsonWriter& JsonWriter::value(QStringView text)
{
    beforeValue();
    appendString(text);
    return *this;
}

JsonWriter& JsonWriter::value(qint64 number)
{
    beforeValue();
    m_out += QByteArray::number(number);
    return *this;
}

JsonWriter& JsonWriter::value(bool flag)
{
    beforeValue();
    m_out += flag ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null()
{
    beforeValue();
    m_out += "null";
    return *this;
}

JsonWriter& JsonWriter::written(const QByteArray& json)
{
    beforeValue();
    m_out += json;
    return *this;
}

// The escapes QJsonDocument uses: the two-character forms where JSON has them, \u00XX for other control
// characters, everything else as UTF-8.
void JsonWriter::appendString(QStringView text)
{
    static const char hex[] = "0123456789abcdef";
    m_out += '"';
    qsizetype plainFrom = 0;
    const auto flushPlain = [&](qsizetype upTo) {
        if (upTo > plainFrom)
            m_out += text.mid(plainFrom, upTo - plainFrom).toUtf8();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c >= 0x20 && c != u'"' && c != u'\\')
            continue;
        flushPlain(i);
        plainFrom = i + 1;
        switch (c) {
        case u'"':
            m_out += "\\\"";
            break;
        case u'\\':
            m_out += "\\\\";
            break;
        case u'\b':
            m_out += "\\b";
            break;
        case u'\f':
            m_out += "\\f";
            break;
        case u'\n':
            m_out += "\\n";
            break;
        case u'\r':
            m_out += "\\r";
            break;
        case u'\t':
            m_out += "\\t";
            break;
        default:
            m_out += "\\u00";
            m_out += hex[(c >> 4) & 0xf];
            m_out += hex[c & 0xf];
            break;
        }
    }
    flushPlain(text.size());
    m_out += '"';
}
