#pragma once

#include "server/Dialect.h"

#include <QString>

// The scenario every demo starts from (DEVELOPERS.md): admin creates user1 and user2; user1 creates
// /user1/experiment1 and /user1/experiment2, user2 creates /user2/experiment1, each with a run and a metric;
// default_permission = NO_PERMISSIONS. These credentials are only ever used on a loopback demo server.
namespace DemoData {
// MLflow 3.14's users/create refuses passwords of fewer than 12 characters (the check is `len < 12`), and the demo
// seeds the same users in both generations, so every demo password must be at least this long. This is the one
// place that says so; the static_asserts below keep it true.
inline constexpr int minimumPasswordLength = 12;

inline constexpr char adminPasswordText[] = "password1234";
inline constexpr char user1PasswordText[] = "user1-password";
inline constexpr char user2PasswordText[] = "user2-password";
static_assert(sizeof(adminPasswordText) - 1 >= minimumPasswordLength, "MLflow 3.14 refuses the demo admin password");
static_assert(sizeof(user1PasswordText) - 1 >= minimumPasswordLength, "MLflow 3.14 refuses user1's demo password");
static_assert(sizeof(user2PasswordText) - 1 >= minimumPasswordLength, "MLflow 3.14 refuses user2's demo password");

inline const QString adminUsername = QStringLiteral("admin");
inline const QString adminPassword = QString::fromLatin1(adminPasswordText);
inline const QString user1Username = QStringLiteral("user1");
inline const QString user1Password = QString::fromLatin1(user1PasswordText);
inline const QString user2Username = QStringLiteral("user2");
inline const QString user2Password = QString::fromLatin1(user2PasswordText);
// With workspaces, the demo lives in MLflow's built-in workspace (the one a request without the header uses).
inline const QString workspace = QStringLiteral("default");
} // namespace DemoData

class MlflowService;

namespace DemoData {
// Plays the scenario through the service's own request pipeline, as real clients would (so creators get MANAGE
// exactly as on a real server). With workspaces every request names the `default` workspace. Call it on a fresh
// data dir only. Returns false with `error` on failure.
bool seed(MlflowService& service, const Dialect& dialect, const QString& adminUsername, const QString& adminPassword,
          QString* error);
} // namespace DemoData
