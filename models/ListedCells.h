#pragma once

#include "api/WireTypes.h"
#include "models/EffectivePermission.h"

#include <functional>

class Directory;

// The cells of the access matrix that say something: the user can read the resource, or an explicit row names it
// (one that denies included). Every other cell is the server's default permission and says nothing new; listing
// those too would make 2,000 users x 20,000 experiments forty million lines. `matrix --format csv|json`, snapshots
// and through them the reports and `diff` list exactly these, so they agree with each other.
namespace ListedCells {

struct Cell
{
    const User& user;
    ResourceType type;
    int resourceRow; // Directory::resourceIdAt(type, resourceRow) and resourceNameAt() name it
    const EffectivePermission& permission;
};

bool isListed(const EffectivePermission& permission);

// Visits the listed cells user by user in the directory's order, experiments before registered models, each type
// in resource row order. A user who can read nothing beyond what is named for them (no admin flag, no "*", no
// readable default) is asked only about the resources something names for them, which keeps a big server to its
// grants; a member's partial view is asked about everything, since its defaults are not known per resource.
void forEach(const Directory& directory, const std::function<void(const Cell&)>& visit);

} // namespace ListedCells
