#pragma once

#include "api/WireTypes.h"

// Shared by the models tests that fill a Directory by hand.
inline Grant makeGrant(const QString& user, const QString& id, PermissionLevel level,
                       ResourceType type = ResourceType::Experiment)
{
    Grant grant;
    grant.username = user;
    grant.resourceType = type;
    grant.resourceId = id;
    grant.level = level;
    return grant;
}
