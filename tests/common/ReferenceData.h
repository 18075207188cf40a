#pragma once

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QtTest>

// Where the recorded MLflow exchanges live: the project's own copy in tests/data/mlflow-reference (see its README
// for where they came from), or $MLFLOW_REFERENCE_DIR to replay newer recordings. Tests that need them fail (never
// skip) with a message saying where they were looked for.
namespace ReferenceData {

inline QString directory()
{
    const QByteArray fromEnv = qgetenv("MLFLOW_REFERENCE_DIR");
    if (!fromEnv.isEmpty())
        return QString::fromLocal8Bit(fromEnv);
    return QDir::cleanPath(QStringLiteral(MLFLOW_ADMIN_SOURCE_DIR) + QStringLiteral("/tests/data/mlflow-reference"));
}

// Each line of a transcript as a JSON object. Empty when the file is missing; `error` then says why. A first line
// with "recorded_from" (and no "name") says where and when the file was recorded, and is no exchange.
inline QList<QJsonObject> transcript(const QString& fileName, QString* error)
{
    QList<QJsonObject> exchanges;
    const QString path = directory() + QLatin1Char('/') + fileName;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("MLflow reference transcript not found at %1. It is part of the checkout "
                                "(tests/data/mlflow-reference); restore it with git, or set MLFLOW_REFERENCE_DIR.")
                     .arg(path);
        return exchanges;
    }
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        if (!doc.isObject()) {
            *error = QStringLiteral("%1:%2 is not a JSON object: %3")
                         .arg(path)
                         .arg(lineNumber)
                         .arg(parseError.errorString());
            return {};
        }
        if (exchanges.isEmpty() && doc.object().contains(QLatin1String("recorded_from")) &&
            !doc.object().contains(QLatin1String("name")))
            continue;
        exchanges.append(doc.object());
    }
    return exchanges;
}

} // namespace ReferenceData
