#pragma once

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QtTest>

// Where the MLflow reference material lives: ../shared/mlflow-reference beside the checkout, or
// $MLFLOW_REFERENCE_DIR. Tests that need it fail (never skip) with a message saying where it was looked for.
namespace ReferenceData {

inline QString directory()
{
    const QByteArray fromEnv = qgetenv("MLFLOW_REFERENCE_DIR");
    if (!fromEnv.isEmpty())
        return QString::fromLocal8Bit(fromEnv);
    return QDir::cleanPath(QStringLiteral(MLFLOW_ADMIN_SOURCE_DIR) + QStringLiteral("/../shared/mlflow-reference"));
}

// Each line of a transcript as a JSON object. Empty when the file is missing; `error` then says why.
inline QList<QJsonObject> transcript(const QString& fileName, QString* error)
{
    QList<QJsonObject> exchanges;
    const QString path = directory() + QLatin1Char('/') + fileName;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("MLflow reference transcript not found at %1. It belongs in ../shared/mlflow-reference "
                                "beside the checkout; set MLFLOW_REFERENCE_DIR to point elsewhere.")
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
        exchanges.append(doc.object());
    }
    return exchanges;
}

} // namespace ReferenceData
