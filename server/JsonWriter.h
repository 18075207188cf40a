#pragma once

#include <QByteArray>
#include <QLatin1StringView>
#include <QStringView>
#include <QVarLengthArray>

// Compact JSON written straight into bytes, for list endpoints whose rows would otherwise go through a QJsonObject
// each: building one and serializing it cost more than the SQL query that produced the row. Writes what
// QJsonDocument::Compact writes for the same values. Keys are written in the order given, so callers give them
// sorted, as QJsonObject (and Flask's jsonify) orders them.
class JsonWriter
{
public:
    // Most answers are small: room for one without growing the buffer along the way.
    JsonWriter() { m_out.reserve(512); }

    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    JsonWriter& key(QLatin1StringView name);
    JsonWriter& value(QStringView text);
    JsonWriter& value(qint64 number);
    JsonWriter& value(bool flag);
    JsonWriter& null();
    // A value another JsonWriter wrote (a whole object or array), kept by a cache.
    JsonWriter& written(const QByteArray& json);

    template <typename Value>
    JsonWriter& member(QLatin1StringView name, const Value& v)
    {
        key(name);
        return value(v);
    }

    // For answers of hundreds of megabytes whose size is known beforehand: one allocation instead of a copy at
    // every doubling.
    void reserve(qsizetype bytes) { m_out.reserve(bytes); }
    QByteArray take() { return std::move(m_out); }

private:
    void beforeValue();
    void appendString(QStringView text);

    QByteArray m_out;
    // One entry per open object or array: whether it holds a value yet (so the next one needs a comma).
    QVarLengthArray<bool, 8> m_hasValue;
    bool m_afterKey = false;
};
