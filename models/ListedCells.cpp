#include "models/ListedCells.h"

#include "models/Directory.h"

#include <algorithm>

namespace ListedCells {

bool isListed(const EffectivePermission& permission)
{
    return permission.isKnown() && (permission.isExplicit() || Permissions::canRead(permission.level));
}

void forEach(const Directory& directory, const std::function<void(const Cell&)>& visit)
{
    const ResourceType types[] = {ResourceType::Experiment, ResourceType::RegisteredModel};
    QList<int> rows;
    for (int userRow = 0; userRow < directory.userCount(); ++userRow) {
        const User& user = directory.userAt(userRow);
        for (const ResourceType type : types) {
            rows.clear();
            if (directory.isMemberView() || directory.readsWithoutNamedGrant(user.username, type, user.isAdmin)) {
                rows.reserve(directory.resourceCount(type));
                for (int row = 0; row < directory.resourceCount(type); ++row)
                    rows.append(row);
            } else {
                for (const QString& id : directory.namedResources(user.username, type)) {
                    const int row = directory.resourceRow(type, id);
                    if (row >= 0)
                        rows.append(row);
                }
                std::sort(rows.begin(), rows.end());
            }
            for (const int row : std::as_const(rows)) {
                const EffectivePermission permission =
                    directory.effectivePermission(user.username, type, directory.resourceIdAt(type, row));
                if (isListed(permission))
                    visit(Cell{user, type, row, permission});
            }
        }
    }
}

} // namespace ListedCells
