#pragma once

#include "api/WireTypes.h"

#include <QByteArray>
#include <QString>

#include <optional>

// Reads the answer of MLflow 3.13+'s `GET users/list`, which embeds every user's roles with all their permissions:
// a role is repeated, byte for byte, for each of its members (2,000 users in 20 roles of 1,250 permissions make
// 256 MB). QJsonDocument would build the whole tree (seconds, gigabytes); this reader walks the text, parses each
// distinct role once and shares it among its members. Pure function of the bytes, safe on any thread.
// Returns nullopt with a translated `error` when the text is not a users/list answer.
std::optional<UserListing> readUserList(const QByteArray& body, QString* error);
