#pragma once

#include <QList>
#include <QString>

// The filter and order_by mini-language of MLflow's search endpoints (SearchUtils / SearchExperimentsUtils),
// parsed into clauses a store turns into SQL with bound values. Only syntax is checked here: which keys,
// comparators and value types an entity accepts is the store's decision. Errors are MlflowError
// INVALID_PARAMETER_VALUE naming the offending part.
namespace SearchFilter {

enum class Entity { Attribute, Tag, Metric, Param };
enum class Comparator { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, Like, ILike };

// `<entity>.<key> <comparator> <value>`, e.g. tags.`my key` LIKE 'a%'.
struct Clause
{
    Entity entity = Entity::Attribute;
    QString key;
    Comparator comparator = Comparator::Equal;
    bool quoted = false; // the value was a quoted string; otherwise `value` is a numeric literal
    QString value;
};

// `<entity>.<key> [ASC|DESC]`.
struct OrderTerm
{
    Entity entity = Entity::Attribute;
    QString key;
    bool ascending = true;
};

// Clauses joined by AND (any case). An empty or blank filter yields no clauses.
QList<Clause> parseFilter(const QString& filter);
OrderTerm parseOrderBy(const QString& orderBy);

QString comparatorText(Comparator comparator);
QString entityText(Entity entity); // "attribute", "tag", "metric", "param"

// A SQL LIKE pattern (only % and _ are wildcards) as an equivalent, case-sensitive SQLite GLOB pattern.
QString likeToGlob(const QString& pattern);

} // namespace SearchFilter
