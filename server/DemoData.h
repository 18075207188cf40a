#pragma once

#include <QString>

// The scenario every demo starts from (DEVELOPERS.md): admin creates user1 and user2; user1 creates
// /user1/experiment1 and /user1/experiment2, user2 creates /user2/experiment1, each with a run and a metric;
// default_permission = NO_PERMISSIONS. These credentials are only ever used on a loopback demo server.
namespace DemoData {
inline const QString adminUsername = QStringLiteral("admin");
inline const QString adminPassword = QStringLiteral("password1234");
inline const QString user1Username = QStringLiteral("user1");
inline const QString user1Password = QStringLiteral("user1-password");
inline const QString user2Username = QStringLiteral("user2");
inline const QString user2Password = QStringLiteral("user2-password");
} // namespace DemoData

class MlflowService;

namespace DemoData {
// Plays the scenario through the service's own request pipeline, as real clients would (so creators get MANAGE
// exactly as on a real server). Call it on a fresh data dir only. Returns false with `error` on failure.
bool seed(MlflowService& service, const QString& adminUsername, const QString& adminPassword, QString* error);
} // namespace DemoData
