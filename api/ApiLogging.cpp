#include "api/ApiLogging.h"

Q_LOGGING_CATEGORY(lcApi, "mlflowadmin.api", QtWarningMsg)
