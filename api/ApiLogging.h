#pragma once

#include <QLoggingCategory>

// mlflowadmin.api: one line per request (method, path, status, time). Never headers, bodies or credentials.
Q_DECLARE_LOGGING_CATEGORY(lcApi)
