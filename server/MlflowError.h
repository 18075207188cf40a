#pragma once

#include "server/Dialect.h"

#include <QByteArray>
#include <QString>

#include <exception>

// An error in MLflow's own terms: an error_code name and a message. Store and handler code throws it; the HTTP
// front catches it and answers {"error_code": ..., "message": ...} with the status MLflow derives from the code.
class MlflowError : public std::exception
{
public:
    MlflowError(QByteArray code, QString message);

    const QByteArray& code() const { return m_code; }
    const QString& message() const { return m_message; }
    int httpStatus() const;
    // The JSON body in the generation's format: {"error_code","message"} for 2.x; 3.x adds "sqlstate" and
    // "error_class", derived from the code as MLflow 3.14's error_classification does.
    QByteArray toJson(const Dialect& dialect = Dialect()) const;
    const char* what() const noexcept override { return m_what.constData(); }

    static int httpStatusForCode(const QByteArray& code);

    static MlflowError invalidParameter(const QString& message);
    static MlflowError missingParameter(const QString& name);
    static MlflowError notFound(const QString& message);
    static MlflowError alreadyExists(const QString& message);
    static MlflowError badRequest(const QString& message);
    static MlflowError internal(const QString& message);

private:
    QByteArray m_code;
    QString m_message;
    QByteArray m_what;
};
