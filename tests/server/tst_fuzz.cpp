// Issue 11's bounded fuzzer. An embedded server per generation (2.15.1, 3.14) gets random and template requests on
// every route it has (mutated JSON bodies, wrong types, huge / negative / unicode ids and names, bad query strings,
// wrong content types and credentials) as admin, then as a fresh non-admin, plus raw malformed HTTP over sockets of
// its own. Afterwards: /health still answers, PRAGMA integrity_check is ok on every SQLite file, no 5xx but the
// documented 503s (and MLflow's own 500 for INVALID_STATE), the non-admin changed nothing it may not change (the
// protected rows of the auth and tracking tables, read from the files, before and after its phase), and the API state
// equals the database (users, grants or role permissions, experiments and registered models read as admin, against the
// files read with QSqlDatabase).
//
// Fixed seed by default; MLFLOW_ADMIN_FUZZ_SEED and MLFLOW_ADMIN_FUZZ_COUNT (requests per generation) override it.
// `make fuzz` runs the same binary with a large count.

#include "RawConnection.h"
#include "RawHttpClient.h"

#include "server/AuthRoutes.h"
#include "server/RbacRoutes.h"
#include "server/ServerState.h"
#include "server/TrackingRoutes.h"
#include "server/WorkspaceRoutes.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUrl>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <memory>

namespace {

struct Caller
{
    QString username;
    QString password;
    QByteArray authorization() const { return "Basic " + (username + QLatin1Char(':') + password).toUtf8().toBase64(); }
};

const Caller admin{QStringLiteral("admin"), QStringLiteral("password1234")};

QPair<QByteArray, QByteArray> headerOf(const QByteArray& name, const QByteArray& value)
{
    return qMakePair(name, value);
}

int environmentNumber(const char* name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariable(name).toInt(&ok);
    return ok && value >= 0 ? value : fallback;
}

Dialect dialectOf(bool mlflow3)
{
    Dialect dialect;
    if (mlflow3)
        dialect.generation = Dialect::Generation::Mlflow3;
    return dialect;
}

// Every (method, path) the server routes, from the same registration the server uses.
QList<QPair<QByteArray, QString>> routesOf(const Dialect& dialect)
{
    RouteTable table;
    if (dialect.isMlflow3())
        RbacRoutes::registerAll(table);
    else
        AuthRoutes::registerAll(table);
    TrackingRoutes::registerAll(table, dialect);
    WorkspaceRoutes::registerAll(table, dialect);
    QList<QPair<QByteArray, QString>> routes;
    for (const QString& route : table.routes()) {
        const qsizetype space = route.indexOf(QLatin1Char(' '));
        routes.append({route.left(space).toLatin1(), route.mid(space + 1)});
    }
    return routes;
}

// Rows of one SQLite file, read directly: a read-only connection of its own, prepared statements only.
class DatabaseFile
{
public:
    explicit DatabaseFile(const QString& path)
        : m_name(QStringLiteral("fuzz-read-%1").arg(++s_connections)), m_path(path)
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        database.setDatabaseName(path);
        database.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        m_open = database.open();
    }
    ~DatabaseFile()
    {
        {
            QSqlDatabase database = QSqlDatabase::database(m_name, false);
            database.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

    bool isOpen() const { return m_open; }

    // Each row as its column values, in the order of the statement's columns; `columns` gets their names.
    QList<QStringList> rows(const QString& sql, const QVariantList& values = {}, QStringList* columns = nullptr) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        QList<QStringList> rows;
        if (!query.prepare(sql)) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            return rows;
        }
        for (const QVariant& value : values)
            query.addBindValue(value);
        if (!query.exec()) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            return rows;
        }
        if (columns) {
            columns->clear();
            for (int i = 0; i < query.record().count(); ++i)
                columns->append(query.record().fieldName(i));
        }
        while (query.next()) {
            QStringList row;
            for (int i = 0; i < query.record().count(); ++i)
                row.append(query.value(i).isNull() ? QStringLiteral("<null>") : query.value(i).toString());
            rows.append(row);
        }
        return rows;
    }

    bool hasTable(const QString& table) const
    {
        return !rows(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?"), {table})
                    .isEmpty();
    }

    QString integrity() const
    {
        const QList<QStringList> result = rows(QStringLiteral("PRAGMA integrity_check"));
        QStringList lines;
        for (const QStringList& row : result)
            lines.append(row.join(QLatin1Char(' ')));
        return lines.join(QLatin1Char('\n'));
    }

private:
    static inline int s_connections = 0;
    QString m_name;
    QString m_path;
    bool m_open = false;
};

QSet<QString> joined(const QList<QStringList>& rows)
{
    QSet<QString> set;
    for (const QStringList& row : rows)
        set.insert(row.join(QLatin1Char('|')));
    return set;
}

// What the fuzzer sent and got, for the figures and the assertions.
struct Figures
{
    qint64 requests = 0;
    qint64 rawRequests = 0;
    QMap<int, qint64> statusClasses; // 0: no answer, 2..5: 2xx..5xx
    QStringList unexpected;          // 5xx the server is not meant to give, and requests that got no answer
    qint64 elapsedMs = 0;

    void add(const Figures& other)
    {
        requests += other.requests;
        rawRequests += other.rawRequests;
        for (auto it = other.statusClasses.cbegin(); it != other.statusClasses.cend(); ++it)
            statusClasses[it.key()] += it.value();
        unexpected += other.unexpected;
        elapsedMs += other.elapsedMs;
    }

    QString summary() const
    {
        QStringList classes;
        for (auto it = statusClasses.cbegin(); it != statusClasses.cend(); ++it)
            classes.append(it.key() == 0 ? QStringLiteral("none %1").arg(it.value())
                                         : QStringLiteral("%1xx %2").arg(it.key()).arg(it.value()));
        const double seconds = std::max<double>(elapsedMs, 1) / 1000.0;
        return QStringLiteral("%1 requests + %2 raw malformed in %3 s (%4 req/s); %5; unexpected %6")
            .arg(requests)
            .arg(rawRequests)
            .arg(seconds, 0, 'f', 1)
            .arg(double(requests + rawRequests) / seconds, 0, 'f', 0)
            .arg(classes.join(QStringLiteral(", ")))
            .arg(unexpected.size());
    }
};

// The 5xx the server is meant to give: the 503s the README documents (a locked database, the password pool's full
// queue, the buffered-body budget, the connection cap: TEMPORARILY_UNAVAILABLE with Retry-After; 3.14's workspace
// endpoints without workspaces, as MLflow answers them), and MLflow's own mapping of INVALID_STATE to 500 (e.g.
// renaming a deleted experiment; mlflow/exceptions.py, the same in 2.15.1 and 3.14).
bool documentedServerError(const QByteArray& request, const RawHttpClient::Response& response)
{
    // A HEAD answer has the GET's status without its body.
    if (request.startsWith("HEAD ") && request.contains("/3.0/mlflow/workspaces") && response.status == 503)
        return true;
    if (response.status == 500)
        return response.body.contains("\"error_code\":\"INVALID_STATE\"") ||
               response.body.contains("\"error_code\": \"INVALID_STATE\"");
    return response.status == 503 &&
           (!response.header("retry-after").isEmpty() || response.body.contains("TEMPORARILY_UNAVAILABLE") ||
            response.body.contains("running without workspaces support"));
}

// The request generator: a route from the table, a template body for it (mutated), or something worse.
class Fuzzer
{
public:
    Fuzzer(quint16 port, bool mlflow3, quint32 seed)
        : m_port(port), m_mlflow3(mlflow3), m_random(seed), m_client(QStringLiteral("127.0.0.1"), port),
          m_routes(routesOf(dialectOf(mlflow3)))
    {}

    int routeCount() const { return int(m_routes.size()); }

    // Who sends, what password values the bodies carry, and which user names must not be changed by the
    // fuzzing (its own caller, so that the phase keeps signing in).
    void setCaller(const Caller& caller) { m_caller = caller; }
    void addKnown(const QString& key, const QString& value)
    {
        QStringList& pool = m_known[key];
        if (!value.isEmpty() && !pool.contains(value))
            pool.append(value);
    }

    Figures run(int count)
    {
        Figures figures;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < count; ++i) {
            const QByteArray request = nextRequest();
            const RawHttpClient::Response response = m_client.sendRaw(request, 15000);
            record(request, response, &figures);
            learn(response.body);
            if ((i + 1) % 10000 == 0)
                qInfo("  %d of %d requests, %lld s, %lld unexpected so far", i + 1, count, timer.elapsed() / 1000,
                      qint64(figures.unexpected.size()));
        }
        figures.requests = count;
        figures.elapsedMs = timer.elapsed();
        return figures;
    }

    // Malformed HTTP, each on a connection of its own: it gets an answer or is closed; either way the server
    // must go on serving.
    Figures runRaw(int count)
    {
        Figures figures;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < count; ++i) {
            RawConnection connection(m_port);
            if (!connection.waitConnected()) {
                figures.statusClasses[0]++;
                figures.unexpected.append(QStringLiteral("raw: could not connect"));
                continue;
            }
            const QByteArray bytes = malformedRequest();
            connection.send(bytes);
            RawConnection::spinUntil(
                [&] { return connection.isClosed() || connection.received().contains("\r\n\r\n"); }, 1500);
            const int status = connection.status();
            figures.statusClasses[status / 100]++;
            if (status >= 500 && status != 503 && status != 501 && status != 505)
                figures.unexpected.append(QStringLiteral("raw %1 for %2").arg(status).arg(printable(bytes)));
        }
        figures.rawRequests = count;
        figures.elapsedMs = timer.elapsed();
        return figures;
    }

    RawHttpClient::Response call(const Caller& caller, const QByteArray& method, const QString& path,
                                 const QJsonObject& body = {}, const QByteArray& query = {})
    {
        QByteArray target = path.toUtf8();
        if (!query.isEmpty())
            target += '?' + query;
        QList<QPair<QByteArray, QByteArray>> headers{headerOf("Authorization", caller.authorization())};
        const bool withBody = method != "GET";
        if (withBody)
            headers.append(headerOf("Content-Type", "application/json"));
        return m_client.send(method, target, headers, QJsonDocument(body).toJson(QJsonDocument::Compact), withBody);
    }

private:
    quint32 below(quint32 n) { return n ? m_random.bounded(n) : 0; }
    bool chance(int percent) { return int(m_random.bounded(100)) < percent; }
    template <typename T>
    const T& pick(const QList<T>& list)
    {
        return list.at(qsizetype(below(quint32(list.size()))));
    }

    static QString printable(const QByteArray& bytes)
    {
        QByteArray shown = bytes.left(160);
        for (char& c : shown) {
            if (uchar(c) < 0x20 || uchar(c) >= 0x7f)
                c = '.';
        }
        return QString::fromLatin1(shown);
    }

    // Ids and names the server handed out, so that templates reach existing resources.
    void learn(const QByteArray& body)
    {
        if (body.isEmpty() || body.front() != '{')
            return;
        const std::function<void(const QJsonValue&, const QString&)> walk = [&](const QJsonValue& value,
                                                                                const QString& key) {
            if (value.isObject()) {
                const QJsonObject object = value.toObject();
                if (key == QLatin1String("role") && object.contains(QStringLiteral("id")))
                    addKnown(QStringLiteral("role_id"),
                             QString::number(object.value(QStringLiteral("id")).toInteger()));
                if (key == QLatin1String("registered_model"))
                    addKnown(QStringLiteral("model"), object.value(QStringLiteral("name")).toString());
                for (auto it = object.constBegin(); it != object.constEnd(); ++it)
                    walk(it.value(), it.key());
            } else if (value.isArray()) {
                for (const QJsonValue& item : value.toArray())
                    walk(item, key);
            } else if (value.isString() && (key == QLatin1String("experiment_id") || key == QLatin1String("run_id"))) {
                if (m_known.value(key).size() < 200)
                    addKnown(key, value.toString());
            }
        };
        walk(QJsonDocument::fromJson(body).object(), QString());
    }

    void record(const QByteArray& request, const RawHttpClient::Response& response, Figures* figures)
    {
        figures->statusClasses[response.status / 100]++;
        if (response.status == 0)
            figures->unexpected.append(QStringLiteral("no answer (%1) to %2").arg(response.error, printable(request)));
        else if (response.status >= 500 && !documentedServerError(request, response))
            figures->unexpected.append(QStringLiteral("%1 %2 for %3")
                                           .arg(response.status)
                                           .arg(QString::fromUtf8(response.body.left(200)), printable(request)));
    }

    // Parameters each endpoint reads, by the endpoint's last segments; anything else gets random keys.
    QStringList templateKeys(const QString& path) const
    {
        static const QList<QPair<QString, QStringList>> templates = {
            {QStringLiteral("users/create"), {"username", "password"}},
            {QStringLiteral("users/get"), {"username"}},
            {QStringLiteral("users/update-password"), {"username", "password", "current_password"}},
            {QStringLiteral("users/update-admin"), {"username", "is_admin"}},
            {QStringLiteral("users/delete"), {"username"}},
            {QStringLiteral("users/permissions/grant"), {"username", "resource_type", "resource_id", "permission"}},
            {QStringLiteral("users/permissions/revoke"), {"username", "resource_type", "resource_id"}},
            {QStringLiteral("users/permissions/get"), {"username", "resource_type", "resource_id"}},
            {QStringLiteral("users/permissions/list"), {"username"}},
            {QStringLiteral("users/roles/list"), {"username"}},
            {QStringLiteral("roles/create"), {"name", "description"}},
            {QStringLiteral("roles/get"), {"role_id"}},
            {QStringLiteral("roles/update"), {"role_id", "name", "description"}},
            {QStringLiteral("roles/delete"), {"role_id"}},
            {QStringLiteral("roles/permissions/add"), {"role_id", "resource_type", "resource_pattern", "permission"}},
            {QStringLiteral("roles/permissions/remove"), {"role_permission_id"}},
            {QStringLiteral("roles/permissions/update"), {"role_permission_id", "permission"}},
            {QStringLiteral("roles/permissions/list"), {"role_id"}},
            {QStringLiteral("roles/assign"), {"username", "role_id"}},
            {QStringLiteral("roles/unassign"), {"username", "role_id"}},
            {QStringLiteral("roles/users/list"), {"role_id"}},
            {QStringLiteral("experiments/permissions/"), {"experiment_id", "username", "permission"}},
            {QStringLiteral("registered-models/permissions/"), {"name", "username", "permission"}},
            {QStringLiteral("experiments/create"), {"name", "artifact_location"}},
            {QStringLiteral("experiments/get-by-name"), {"experiment_name"}},
            {QStringLiteral("experiments/search"), {"max_results", "page_token", "filter", "view_type"}},
            {QStringLiteral("experiments/update"), {"experiment_id", "new_name"}},
            {QStringLiteral("experiments/set-experiment-tag"), {"experiment_id", "key", "value"}},
            {QStringLiteral("experiments/"), {"experiment_id"}},
            {QStringLiteral("runs/create"), {"experiment_id", "run_name"}},
            {QStringLiteral("runs/search"), {"experiment_ids", "max_results", "filter"}},
            {QStringLiteral("runs/log-metric"), {"run_id", "key", "value", "timestamp"}},
            {QStringLiteral("runs/log-parameter"), {"run_id", "key", "value"}},
            {QStringLiteral("runs/set-tag"), {"run_id", "key", "value"}},
            {QStringLiteral("runs/log-batch"), {"run_id", "metrics", "params", "tags"}},
            {QStringLiteral("runs/update"), {"run_id", "status", "run_name"}},
            {QStringLiteral("runs/"), {"run_id"}},
            {QStringLiteral("metrics/get-history"), {"run_id", "metric_key"}},
            {QStringLiteral("registered-models/rename"), {"name", "new_name"}},
            {QStringLiteral("registered-models/search"), {"filter", "max_results", "page_token"}},
            {QStringLiteral("registered-models/"), {"name"}},
            {QStringLiteral("workspaces"), {"name", "description", "default_artifact_root"}},
        };
        for (const auto& entry : templates) {
            if (path.contains(entry.first))
                return entry.second;
        }
        return {};
    }

    QJsonValue hostileValue()
    {
        static const QList<QJsonValue> values = {
            QString(),
            QStringLiteral("0"),
            QStringLiteral("-1"),
            QStringLiteral("01"),
            QStringLiteral("+1"),
            QStringLiteral(" 1"),
            QStringLiteral("1 "),
            QStringLiteral("9223372036854775807"),
            QStringLiteral("9223372036854775808"),
            QStringLiteral("-9223372036854775809"),
            QStringLiteral("99999999999999999999999999"),
            QStringLiteral("1e3"),
            QStringLiteral("0x10"),
            QStringLiteral("1.0"),
            QString::fromUtf8("ünïcødé-名前-🙂"),
            QString::fromUtf8("\xe2\x80\xae"
                              "evil"),
            QString(QChar(0)),
            QStringLiteral("a") + QChar(0) + QStringLiteral("b"),
            QStringLiteral("' OR '1'='1"),
            QStringLiteral("%"),
            QStringLiteral("*"),
            QStringLiteral("_"),
            QString(300, QLatin1Char('x')),
            QString(5000, QLatin1Char('y')),
            QStringLiteral("../../etc/passwd"),
            QStringLiteral("\\"),
            QStringLiteral("\""),
            QStringLiteral("\n"),
            QStringLiteral("__user_1__"),
            QStringLiteral("default"),
            QStringLiteral("ADMIN"),
            QStringLiteral("admin "),
            QStringLiteral("null"),
            QStringLiteral("true"),
            QJsonValue(),
            QJsonValue(true),
            QJsonValue(false),
            QJsonValue(0),
            QJsonValue(-1),
            QJsonValue(1.5),
            QJsonValue(1e308),
            QJsonValue(-1e308),
            QJsonValue(9007199254740993.0),
            QJsonValue(qint64(1) << 62),
            QJsonArray{1, 2},
            QJsonArray{QStringLiteral("1")},
            QJsonArray{},
            QJsonObject{{QStringLiteral("a"), 1}},
            QJsonObject{},
        };
        return pick(values);
    }

    QJsonValue goodValue(const QString& key, const QString& path)
    {
        const auto known = [&](const QString& pool, const QString& fallback) -> QJsonValue {
            const QStringList values = m_known.value(pool);
            return values.isEmpty() ? fallback : pick(values);
        };
        if (key == QLatin1String("username")) {
            QStringList names = m_known.value(QStringLiteral("username"));
            // The phase's own account keeps its password and rights, or the phase would stop signing in.
            const bool changesUser = path.contains(QLatin1String("update-password")) ||
                                     path.contains(QLatin1String("update-admin")) ||
                                     path.contains(QLatin1String("users/delete"));
            if (changesUser && m_caller.username == admin.username)
                names.removeAll(admin.username);
            if (path.contains(QLatin1String("users/create")) && chance(60))
                return QStringLiteral("fuzz_%1").arg(++m_serial);
            return names.isEmpty() ? QStringLiteral("nobody") : pick(names);
        }
        if (key == QLatin1String("password") || key == QLatin1String("current_password"))
            return m_caller.password; // the caller's own, so a change of its own password changes nothing
        if (key == QLatin1String("experiment_id") || (key == QLatin1String("resource_id") && chance(70)))
            return known(QStringLiteral("experiment_id"), QStringLiteral("0"));
        if (key == QLatin1String("resource_id") || key == QLatin1String("resource_pattern"))
            return chance(30) ? QStringLiteral("*") : known(QStringLiteral("model"), QStringLiteral("m"));
        if (key == QLatin1String("experiment_ids"))
            return QJsonArray{known(QStringLiteral("experiment_id"), QStringLiteral("0"))};
        if (key == QLatin1String("name")) {
            if (path.contains(QLatin1String("registered-models")))
                return chance(50) ? known(QStringLiteral("model"), QStringLiteral("m"))
                                  : QJsonValue(QStringLiteral("model_%1").arg(++m_serial));
            if (path.contains(QLatin1String("workspaces")))
                return QStringLiteral("ws-%1").arg(++m_serial);
            return QStringLiteral("%1_%2").arg(path.contains(QLatin1String("roles")) ? "role" : "exp").arg(++m_serial);
        }
        if (key == QLatin1String("new_name") || key == QLatin1String("run_name") ||
            key == QLatin1String("experiment_name"))
            return QStringLiteral("renamed_%1").arg(++m_serial);
        if (key == QLatin1String("permission"))
            return pick(QList<QJsonValue>{"READ", "EDIT", "MANAGE", "NO_PERMISSIONS", "USE", "read"});
        if (key == QLatin1String("resource_type"))
            return pick(QList<QJsonValue>{"experiment", "registered_model", "scorer", "gateway_secret", "workspace",
                                          "prompt", "EXPERIMENT"});
        if (key == QLatin1String("role_id") || key == QLatin1String("role_permission_id"))
            return known(QStringLiteral("role_id"), QStringLiteral("1"));
        if (key == QLatin1String("run_id"))
            return known(QStringLiteral("run_id"), QStringLiteral("0"));
        if (key == QLatin1String("is_admin"))
            return chance(50);
        if (key == QLatin1String("max_results"))
            return pick(QList<QJsonValue>{1, 10, 1000, 50001, "5"});
        if (key == QLatin1String("view_type"))
            return pick(QList<QJsonValue>{"ACTIVE_ONLY", "DELETED_ONLY", "ALL", 3});
        if (key == QLatin1String("filter"))
            return pick(QList<QJsonValue>{"name LIKE 'exp%'", "name = 'x'", "name ILIKE '%'", "attribute.name = 1",
                                          "tags.k = 'v'", "(((", "name LIKE"});
        if (key == QLatin1String("metrics"))
            return QJsonArray{QJsonObject{{"key", "m"}, {"value", 1.5}, {"timestamp", 1}, {"step", 0}}};
        if (key == QLatin1String("params") || key == QLatin1String("tags"))
            return QJsonArray{QJsonObject{{"key", "k"}, {"value", "v"}}};
        if (key == QLatin1String("value"))
            return path.contains(QLatin1String("metric")) ? QJsonValue(2.5) : QJsonValue(QStringLiteral("v"));
        if (key == QLatin1String("timestamp"))
            return QJsonValue(qint64(1700000000000));
        if (key == QLatin1String("status"))
            return pick(QList<QJsonValue>{"RUNNING", "FINISHED", "FAILED", "KILLED", "BOGUS"});
        return QStringLiteral("k");
    }

    QJsonObject bodyFor(const QString& path)
    {
        static const QStringList dictionary = {"username",
                                               "password",
                                               "is_admin",
                                               "experiment_id",
                                               "name",
                                               "permission",
                                               "run_id",
                                               "key",
                                               "value",
                                               "new_name",
                                               "role_id",
                                               "resource_type",
                                               "resource_id",
                                               "resource_pattern",
                                               "workspace",
                                               "description",
                                               "max_results",
                                               "page_token",
                                               "current_password",
                                               "user_id",
                                               "role_permission_id",
                                               "experiment_ids"};
        QStringList keys = templateKeys(path);
        if (keys.isEmpty() || chance(10))
            keys.append(pick(dictionary));
        if (chance(15) && !keys.isEmpty())
            keys.removeAt(qsizetype(below(quint32(keys.size()))));
        QJsonObject body;
        for (const QString& key : std::as_const(keys))
            body.insert(key, chance(75) ? goodValue(key, path) : hostileValue());
        return body;
    }

    static QByteArray queryValue(const QJsonValue& value)
    {
        if (value.isString())
            return QUrl::toPercentEncoding(value.toString());
        if (value.isBool())
            return value.toBool() ? "true" : "false";
        if (value.isDouble())
            return QByteArray::number(value.toDouble(), 'g', 17);
        return QUrl::toPercentEncoding(
            QString::fromUtf8(value.isArray() ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                                              : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)));
    }

    QByteArray mutatedJson(const QJsonObject& body)
    {
        const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
        switch (below(9)) {
        case 0:
            return json.left(qsizetype(below(quint32(json.size()))));
        case 1:
            return "[" + json + "]";
        case 2:
            return QByteArray(int(below(6000)) + 1, '[');
        case 3:
            return "{\"username\":\"\xff\xfe\xc3\x28\",\"name\":\"\xed\xa0\x80\"}";
        case 4:
            return {};
        case 5:
            return "null";
        case 6:
            return "{\"name\":\"" + QByteArray(100 * 1024, 'n') + "\"}";
        case 7:
            return json + json;
        default: {
            QByteArray flipped = json;
            for (int i = 0; i < 3 && !flipped.isEmpty(); ++i)
                flipped[qsizetype(below(quint32(flipped.size())))] = char(below(256));
            return flipped;
        }
        }
    }

    QByteArray nextRequest()
    {
        const auto& route = pick(m_routes);
        QByteArray method = route.first;
        QString path = route.second;
        if (path.endsWith(QLatin1Char('/'))) // a prefixed route: /workspaces/<name>
            path += chance(50) ? QStringLiteral("default") : QStringLiteral("ws-%1").arg(below(20));
        if (chance(5))
            method = pick(QList<QByteArray>{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"});
        if (chance(3))
            path = pick(QStringList{path + QStringLiteral("x"), path + QLatin1Char('/'),
                                    QStringLiteral("/api/2.0/mlflow/../mlflow/users/get"),
                                    QStringLiteral("//api/2.0/mlflow/users/get"), QStringLiteral("/api/2.0/mlflow/"),
                                    QStringLiteral("/static/../../etc/passwd"), QStringLiteral("/api/9.9/mlflow/x")});
        const QJsonObject body = bodyFor(path);
        QByteArray target = QUrl::toPercentEncoding(path, "/");
        const bool asQuery = method == "GET" || method == "HEAD" || (method == "DELETE" && chance(30));
        if (asQuery) {
            QByteArrayList pairs;
            for (auto it = body.constBegin(); it != body.constEnd(); ++it)
                pairs.append(QUrl::toPercentEncoding(it.key()) + '=' + queryValue(it.value()));
            if (chance(10))
                pairs.append(pick(QByteArrayList{"%zz", "%", "%00=%00", "&&&", "=", "username=a&username=b", "+",
                                                 "username=%C3%28", "username=ann+lee", "a=%E2%82"}));
            if (!pairs.isEmpty())
                target += '?' + pairs.join('&');
        }
        QByteArray payload;
        bool withBody = !asQuery || chance(5);
        if (withBody)
            payload = chance(88) ? QJsonDocument(body).toJson(QJsonDocument::Compact) : mutatedJson(body);

        QList<QPair<QByteArray, QByteArray>> headers;
        const int credentials = int(below(100));
        if (credentials < 92)
            headers.append(headerOf("Authorization", m_caller.authorization()));
        else if (credentials < 94)
            headers.append(
                headerOf("Authorization", Caller{m_caller.username, QStringLiteral("wrong-password")}.authorization()));
        else if (credentials < 95)
            headers.append(
                headerOf("Authorization", Caller{QStringLiteral("nobody"), QStringLiteral("x")}.authorization()));
        else if (credentials < 97)
            headers.append(headerOf("Authorization",
                                    pick(QByteArrayList{"Basic !!!", "Bearer abc",
                                                        "Basic " + QByteArray("nocolon").toBase64(), "Basic", ""})));
        if (withBody)
            headers.append(headerOf("Content-Type",
                                    chance(88)
                                        ? QByteArray("application/json")
                                        : pick(QByteArrayList{"text/plain", "application/x-www-form-urlencoded",
                                                              "application/json; charset=utf-8",
                                                              "application/vnd.x+json", "multipart/form-data", ""})));
        if (chance(3))
            headers.append(
                headerOf("X-MLFLOW-WORKSPACE", pick(QByteArrayList{"default", "nope", "../x", "", "Default"})));
        if (chance(2))
            headers.append(headerOf("Origin", "http://evil.example"));

        QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const auto& header : headers)
            request += header.first + ": " + header.second + "\r\n";
        if (withBody)
            request += "Content-Length: " + QByteArray::number(payload.size()) + "\r\n";
        return request + "\r\n" + payload;
    }

    QByteArray malformedRequest()
    {
        const QByteArray auth = "Authorization: " + admin.authorization() + "\r\n";
        const QByteArray body =
            "{\"username\":\"raw_" + QByteArray::number(++m_serial) + "\",\"password\":\"raw-password-12345\"}";
        const QByteArray valid =
            "POST /api/2.0/mlflow/users/create HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        QByteArray randomBytes(int(below(200)) + 1, Qt::Uninitialized);
        for (char& c : randomBytes)
            c = char(below(256));
        switch (below(20)) {
        case 0:
            return randomBytes + "\r\n\r\n";
        case 1:
            return "GET / HTTP/1.1\r\n" + randomBytes + "\r\n\r\n";
        case 2:
            return "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n";
        case 3:
            return "POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999999999999\r\n\r\n";
        case 4:
            return "POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        case 5:
            return "POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "ffffffffffffffffff\r\n";
        case 6:
            return QByteArray("GET /hea\0lth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 40);
        case 7:
            return "GET /health\r\n\r\n";
        case 8:
            return "\r\n\r\n\r\n";
        case 9:
            return "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColonHere\r\n\r\n";
        case 10:
            return "GET /health HTTP/1.1\nHost: 127.0.0.1\n\n";
        case 11:
            return "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + randomBytes;
        case 12:
            return QByteArray(5000, 'G') + " /health HTTP/1.1\r\n\r\n";
        case 13:
            return "get /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        case 14:
            return "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        case 15:
            return "POST /api/2.0/mlflow/users/create HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                   "X-Fold: a\r\n b\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        case 16:
            return "POST /api/2.0/mlflow/users/create HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                   "Content-Length: 5\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        case 17:
            return "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n";
        case 18:
            return valid.left(qsizetype(below(quint32(valid.size()))));
        default: {
            // A valid admin request with a few bytes flipped: whatever it turns into must not desync the stream.
            QByteArray flipped = valid;
            for (int i = 0; i < 4; ++i)
                flipped[qsizetype(below(quint32(flipped.size())))] = char(below(256));
            return flipped;
        }
        }
    }

    quint16 m_port;
    bool m_mlflow3;
    QRandomGenerator m_random;
    RawHttpClient m_client;
    QList<QPair<QByteArray, QString>> m_routes;
    Caller m_caller = admin;
    QHash<QString, QStringList> m_known;
    int m_serial = 0;
};

// The fuzzed server: throttling off (wrong passwords are part of the traffic, and must not lock the fuzzer out)
// and short header/body timeouts, so that raw requests that never finish cost little.
class FuzzedServer
{
public:
    explicit FuzzedServer(bool mlflow3)
    {
        const QString ini = m_dir.filePath(QStringLiteral("basic_auth.ini"));
        QFile file(ini);
        if (file.open(QIODevice::WriteOnly))
            file.write("[mlflow]\ndefault_permission = NO_PERMISSIONS\ndatabase_uri = sqlite:///basic_auth.db\n"
                       "admin_username = admin\nadmin_password = password1234\n");
        file.close();
        EmbeddedServerOptions options;
        options.port = 0;
        options.dataDir = m_dir.filePath(QStringLiteral("data"));
        options.configPath = ini;
        options.dialect = dialectOf(mlflow3);
        options.signInThrottle.enabled = false;
        options.limits.headerTimeoutMs = 400;
        options.limits.bodyTimeoutMs = 400;
        options.limits.lingerMs = 50;
        m_server = std::make_unique<EmbeddedServer>(options);
        m_started = m_server->start(&m_error);
    }

    bool started() const { return m_started; }
    QString error() const { return m_error; }
    quint16 port() const { return m_server->port(); }
    QStringList databaseFiles() const
    {
        QStringList files;
        const QDir data(m_dir.filePath(QStringLiteral("data")));
        for (const QString& name : data.entryList({QStringLiteral("*.db")}, QDir::Files))
            files.append(data.filePath(name));
        return files;
    }
    QString file(const QString& name) const { return QDir(m_dir.filePath(QStringLiteral("data"))).filePath(name); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedServer> m_server;
    QString m_error;
    bool m_started = false;
};

} // namespace

class FuzzTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void fuzz_data();
    void fuzz();
    void cleanupTestCase();

private:
    // The rows of the auth and tracking tables a non-admin may not change, keyed "table|row".
    // `forAddition`: the rows a non-admin may not add (grants on what it does not manage, unless it created the
    // resource meanwhile); otherwise the rows it may not remove or change (grants on what existed and it does not
    // manage; a grant on a name no resource had may go with a resource the caller creates and deletes).
    QSet<QString> protectedRows(const FuzzedServer& server, bool mlflow3, const QString& user,
                                const QSet<QString>& managedExperiments, const QSet<QString>& editableExperiments,
                                const QSet<QString>& managedModels, bool forAddition);
    void compareApiWithDatabase(Fuzzer& fuzzer, const FuzzedServer& server, bool mlflow3);

    quint32 m_seed = 0;
    int m_count = 0;
    Figures m_total;
    // What existed when the non-admin phase began.
    QSet<QString> m_baselineExperiments;
    QSet<QString> m_baselineModels;
};

void FuzzTest::initTestCase()
{
    m_seed = quint32(environmentNumber("MLFLOW_ADMIN_FUZZ_SEED", 11));
    m_count = environmentNumber("MLFLOW_ADMIN_FUZZ_COUNT", 1500);
    qInfo("fuzz: seed %u, %d requests per generation (MLFLOW_ADMIN_FUZZ_SEED, MLFLOW_ADMIN_FUZZ_COUNT)", m_seed,
          m_count);
}

void FuzzTest::fuzz_data()
{
    QTest::addColumn<bool>("mlflow3");
    QTest::newRow("mlflow-2.15.1") << false;
    QTest::newRow("mlflow-3.14") << true;
}

QSet<QString> FuzzTest::protectedRows(const FuzzedServer& server, bool mlflow3, const QString& user,
                                      const QSet<QString>& managedExperiments, const QSet<QString>& editableExperiments,
                                      const QSet<QString>& managedModels, bool forAddition)
{
    QSet<QString> rows;
    const DatabaseFile auth(server.file(QStringLiteral("basic_auth.db")));
    const DatabaseFile tracking(server.file(QStringLiteral("mlflow.db")));
    if (!auth.isOpen() || !tracking.isOpen())
        return {QStringLiteral("cannot open the databases")};
    // Users: everything, except the caller's own password hash (it may set its own password; the fuzzer sends
    // the same password, so only the salt changes).
    for (const QStringList& row :
         auth.rows(QStringLiteral("SELECT id, username, is_admin, password_hash FROM users ORDER BY id"))) {
        QStringList shown = row;
        if (row.at(1) == user)
            shown[3] = QStringLiteral("<own>");
        rows.insert(QStringLiteral("users|") + shown.join(QLatin1Char('|')));
    }
    const QSet<QString> existingExperiments = [&] {
        QSet<QString> ids;
        for (const QStringList& row : tracking.rows(QStringLiteral("SELECT experiment_id FROM experiments")))
            ids.insert(row.at(0));
        return ids;
    }();
    const QSet<QString> existingModels = [&] {
        QSet<QString> names;
        for (const QStringList& row : tracking.rows(QStringLiteral("SELECT name FROM registered_models")))
            names.insert(row.at(0));
        return names;
    }();
    // A grant row is the caller's business only on what it manages, or on what it created meanwhile (an
    // experiment or model that exists and was not there before the phase: see the `baseline` sets).
    const auto mayTouchExperiment = [&](const QString& id) {
        return managedExperiments.contains(id) ||
               (!m_baselineExperiments.contains(id) && (!forAddition || existingExperiments.contains(id)));
    };
    const auto mayTouchModel = [&](const QString& name) {
        return managedModels.contains(name) ||
               (!m_baselineModels.contains(name) && (!forAddition || existingModels.contains(name)));
    };
    for (const QStringList& row : auth.rows(QStringLiteral("SELECT experiment_id, user_id, permission FROM "
                                                           "experiment_permissions ORDER BY experiment_id, user_id"))) {
        if (mlflow3 || !mayTouchExperiment(row.at(0)))
            rows.insert(QStringLiteral("experiment_permissions|") + row.join(QLatin1Char('|')));
    }
    for (const QStringList& row : auth.rows(QStringLiteral(
             "SELECT name, user_id, permission FROM registered_model_permissions ORDER BY name, user_id"))) {
        if (mlflow3 || !mayTouchModel(row.at(0)))
            rows.insert(QStringLiteral("registered_model_permissions|") + row.join(QLatin1Char('|')));
    }
    if (mlflow3) {
        // Granting on what it manages may create a grantee's hidden role, its permission rows and assignment;
        // every other role, permission and assignment is the admin's.
        for (const QStringList& row :
             auth.rows(QStringLiteral("SELECT id, name, workspace, description FROM roles ORDER BY id"))) {
            if (!row.at(1).startsWith(QLatin1String("__user_")))
                rows.insert(QStringLiteral("roles|") + row.join(QLatin1Char('|')));
        }
        for (const QStringList& row : auth.rows(QStringLiteral(
                 "SELECT p.role_id, r.name, p.resource_type, p.resource_pattern, p.permission FROM role_permissions p "
                 "JOIN roles r ON r.id = p.role_id ORDER BY p.id"))) {
            const bool hidden = row.at(1).startsWith(QLatin1String("__user_"));
            const bool ownBusiness =
                hidden && ((row.at(2) == QLatin1String("experiment") && mayTouchExperiment(row.at(3))) ||
                           (row.at(2) == QLatin1String("registered_model") && mayTouchModel(row.at(3))));
            if (!ownBusiness)
                rows.insert(QStringLiteral("role_permissions|") + row.join(QLatin1Char('|')));
        }
        for (const QStringList& row : auth.rows(QStringLiteral(
                 "SELECT a.user_id, a.role_id, r.name FROM user_role_assignments a JOIN roles r ON r.id = a.role_id "
                 "ORDER BY a.id"))) {
            if (!row.at(2).startsWith(QLatin1String("__user_")))
                rows.insert(QStringLiteral("user_role_assignments|") + row.join(QLatin1Char('|')));
        }
    }
    // Tracking rows of experiments it may not edit, and models it may not manage.
    QStringList columns;
    for (const QStringList& row : tracking.rows(QStringLiteral("SELECT * FROM experiments"), {}, &columns)) {
        const QString id = row.at(columns.indexOf(QStringLiteral("experiment_id")));
        if (m_baselineExperiments.contains(id) && !editableExperiments.contains(id))
            rows.insert(QStringLiteral("experiments|") + row.join(QLatin1Char('|')));
    }
    for (const QStringList& row : tracking.rows(QStringLiteral("SELECT * FROM registered_models"), {}, &columns)) {
        const QString name = row.at(columns.indexOf(QStringLiteral("name")));
        if (m_baselineModels.contains(name) && !managedModels.contains(name))
            rows.insert(QStringLiteral("registered_models|") + row.join(QLatin1Char('|')));
    }
    return rows;
}

void FuzzTest::compareApiWithDatabase(Fuzzer& fuzzer, const FuzzedServer& server, bool mlflow3)
{
    const DatabaseFile auth(server.file(QStringLiteral("basic_auth.db")));
    const DatabaseFile tracking(server.file(QStringLiteral("mlflow.db")));
    QVERIFY(auth.isOpen());
    QVERIFY(tracking.isOpen());

    // Experiments: every page of experiments/search (ALL) against the table.
    QSet<QString> apiExperiments;
    QString pageToken;
    do {
        QJsonObject request{{"max_results", 1000}, {"view_type", "ALL"}};
        if (!pageToken.isEmpty())
            request.insert(QStringLiteral("page_token"), pageToken);
        const auto response = fuzzer.call(admin, "POST", QStringLiteral("/api/2.0/mlflow/experiments/search"), request);
        QVERIFY2(response.status == 200, response.body.constData());
        const QJsonObject page = QJsonDocument::fromJson(response.body).object();
        for (const QJsonValue& experiment : page.value(QStringLiteral("experiments")).toArray()) {
            const QJsonObject object = experiment.toObject();
            apiExperiments.insert(QStringList{object.value(QStringLiteral("experiment_id")).toString(),
                                              object.value(QStringLiteral("name")).toString(),
                                              object.value(QStringLiteral("lifecycle_stage")).toString()}
                                      .join(QLatin1Char('|')));
        }
        pageToken = page.value(QStringLiteral("next_page_token")).toString();
    } while (!pageToken.isEmpty());
    const QSet<QString> dbExperiments = joined(tracking.rows(
        mlflow3 ? QStringLiteral("SELECT experiment_id, name, lifecycle_stage FROM experiments WHERE workspace = ?")
                : QStringLiteral("SELECT experiment_id, name, lifecycle_stage FROM experiments"),
        mlflow3 ? QVariantList{QStringLiteral("default")} : QVariantList{}));
    QVERIFY(dbExperiments.size() > 3);
    QCOMPARE(apiExperiments, dbExperiments);

    // Registered models: every page of registered-models/search against the table.
    QSet<QString> apiModels;
    pageToken.clear();
    do {
        QByteArray query = "max_results=1000";
        if (!pageToken.isEmpty())
            query += "&page_token=" + QUrl::toPercentEncoding(pageToken);
        const auto response =
            fuzzer.call(admin, "GET", QStringLiteral("/api/2.0/mlflow/registered-models/search"), {}, query);
        QVERIFY2(response.status == 200, response.body.constData());
        const QJsonObject page = QJsonDocument::fromJson(response.body).object();
        for (const QJsonValue& model : page.value(QStringLiteral("registered_models")).toArray())
            apiModels.insert(model.toObject().value(QStringLiteral("name")).toString());
        pageToken = page.value(QStringLiteral("next_page_token")).toString();
    } while (!pageToken.isEmpty());
    QSet<QString> dbModels;
    for (const QStringList& row : tracking.rows(QStringLiteral("SELECT name FROM registered_models")))
        dbModels.insert(row.at(0));
    QCOMPARE(apiModels, dbModels);

    // Users and what each may do, user by user.
    const QList<QStringList> users = auth.rows(QStringLiteral("SELECT id, username, is_admin FROM users ORDER BY id"));
    QVERIFY(users.size() >= 3);
    QSet<QString> apiUsers;
    int compared = 0;
    for (const QStringList& user : users) {
        const QByteArray username = "username=" + QUrl::toPercentEncoding(user.at(1));
        const QString isAdmin = user.at(2) == QLatin1String("1") || user.at(2) == QLatin1String("true")
                                    ? QStringLiteral("true")
                                    : QStringLiteral("false");
        if (!mlflow3) {
            const auto response = fuzzer.call(admin, "GET", QStringLiteral("/api/2.0/mlflow/users/get"), {}, username);
            QVERIFY2(response.status == 200,
                     qPrintable(user.join(QLatin1Char('|')) + QString::fromUtf8(response.body)));
            const QJsonObject object =
                QJsonDocument::fromJson(response.body).object().value(QStringLiteral("user")).toObject();
            QCOMPARE(QString::number(object.value(QStringLiteral("id")).toInteger()), user.at(0));
            QCOMPARE(object.value(QStringLiteral("username")).toString(), user.at(1));
            QCOMPARE(object.value(QStringLiteral("is_admin")).toBool() ? QStringLiteral("true")
                                                                       : QStringLiteral("false"),
                     isAdmin);
            QSet<QString> apiGrants;
            for (const QJsonValue& grant : object.value(QStringLiteral("experiment_permissions")).toArray())
                apiGrants.insert(QStringLiteral("experiment|") +
                                 grant.toObject().value(QStringLiteral("experiment_id")).toString() + QLatin1Char('|') +
                                 grant.toObject().value(QStringLiteral("permission")).toString());
            for (const QJsonValue& grant : object.value(QStringLiteral("registered_model_permissions")).toArray())
                apiGrants.insert(QStringLiteral("model|") + grant.toObject().value(QStringLiteral("name")).toString() +
                                 QLatin1Char('|') + grant.toObject().value(QStringLiteral("permission")).toString());
            QSet<QString> dbGrants;
            for (const QStringList& row :
                 auth.rows(QStringLiteral("SELECT experiment_id, permission FROM experiment_permissions WHERE "
                                          "user_id = ?"),
                           {user.at(0).toLongLong()}))
                dbGrants.insert(QStringLiteral("experiment|") + row.join(QLatin1Char('|')));
            for (const QStringList& row : auth.rows(
                     QStringLiteral("SELECT name, permission FROM registered_model_permissions WHERE user_id = ?"),
                     {user.at(0).toLongLong()}))
                dbGrants.insert(QStringLiteral("model|") + row.join(QLatin1Char('|')));
            QCOMPARE(apiGrants, dbGrants);
        } else {
            const auto response =
                fuzzer.call(admin, "GET", QStringLiteral("/api/3.0/mlflow/users/permissions/list"), {}, username);
            QVERIFY2(response.status == 200,
                     qPrintable(user.join(QLatin1Char('|')) + QString::fromUtf8(response.body)));
            const QJsonObject object = QJsonDocument::fromJson(response.body).object();
            QCOMPARE(object.value(QStringLiteral("is_admin")).toBool() ? QStringLiteral("true")
                                                                       : QStringLiteral("false"),
                     isAdmin);
            QSet<QString> apiPermissions;
            for (const QJsonValue& permission : object.value(QStringLiteral("permissions")).toArray()) {
                const QJsonObject row = permission.toObject();
                apiPermissions.insert(QStringList{QString::number(row.value(QStringLiteral("role_id")).toInteger()),
                                                  row.value(QStringLiteral("role_name")).toString(),
                                                  row.value(QStringLiteral("resource_type")).toString(),
                                                  row.value(QStringLiteral("resource_pattern")).toString(),
                                                  row.value(QStringLiteral("permission")).toString()}
                                          .join(QLatin1Char('|')));
            }
            const QSet<QString> dbPermissions = joined(auth.rows(
                QStringLiteral("SELECT r.id, r.name, p.resource_type, p.resource_pattern, p.permission FROM "
                               "user_role_assignments a JOIN roles r ON r.id = a.role_id JOIN role_permissions p ON "
                               "p.role_id = r.id WHERE a.user_id = ?"),
                {user.at(0).toLongLong()}));
            QCOMPARE(apiPermissions, dbPermissions);
        }
        apiUsers.insert(user.join(QLatin1Char('|')));
        ++compared;
    }
    if (mlflow3) {
        const auto response = fuzzer.call(admin, "GET", QStringLiteral("/api/2.0/mlflow/users/list"));
        QCOMPARE(response.status, 200);
        QSet<QString> listed;
        for (const QJsonValue& user : QJsonDocument::fromJson(response.body).object().value("users").toArray()) {
            const QJsonObject object = user.toObject();
            listed.insert(QStringList{QString::number(object.value(QStringLiteral("id")).toInteger()),
                                      object.value(QStringLiteral("username")).toString(),
                                      object.value(QStringLiteral("is_admin")).toBool() ? QStringLiteral("1")
                                                                                        : QStringLiteral("0")}
                              .join(QLatin1Char('|')));
        }
        QSet<QString> dbUsers;
        for (const QStringList& user : users)
            dbUsers.insert(QStringList{user.at(0), user.at(1),
                                       user.at(2) == QLatin1String("1") || user.at(2) == QLatin1String("true")
                                           ? QStringLiteral("1")
                                           : QStringLiteral("0")}
                               .join(QLatin1Char('|')));
        QCOMPARE(listed, dbUsers);
    }
    qInfo("API = database: %lld experiments, %lld registered models, %d users with their grants",
          qint64(dbExperiments.size()), qint64(dbModels.size()), compared);
}

void FuzzTest::fuzz()
{
    QFETCH(bool, mlflow3);
    FuzzedServer server(mlflow3);
    QVERIFY2(server.started(), qPrintable(server.error()));
    const QString prefix = mlflow3 ? QStringLiteral("/api/3.0/mlflow/") : QStringLiteral("/api/2.0/mlflow/");
    const QString api = QStringLiteral("/api/2.0/mlflow/");
    Fuzzer fuzzer(server.port(), mlflow3, m_seed + (mlflow3 ? 1 : 0));
    qInfo("%d routes", fuzzer.routeCount());
    QVERIFY(fuzzer.routeCount() > 30);

    // A few users and resources for the templates to find.
    for (const QString& name : {QStringLiteral("alice"), QStringLiteral("bob")}) {
        const auto created = fuzzer.call(admin, "POST", api + QStringLiteral("users/create"),
                                         {{"username", name}, {"password", name + QStringLiteral("-password-123")}});
        QCOMPARE(created.status, 200);
        fuzzer.addKnown(QStringLiteral("username"), name);
    }
    fuzzer.addKnown(QStringLiteral("username"), admin.username);
    for (int i = 0; i < 3; ++i) {
        const auto created = fuzzer.call(admin, "POST", api + QStringLiteral("experiments/create"),
                                         {{"name", QStringLiteral("seed-%1").arg(i)}});
        QCOMPARE(created.status, 200);
        fuzzer.addKnown(QStringLiteral("experiment_id"),
                        QJsonDocument::fromJson(created.body).object().value("experiment_id").toString());
        const auto model = fuzzer.call(admin, "POST", api + QStringLiteral("registered-models/create"),
                                       {{"name", QStringLiteral("seed-model-%1").arg(i)}});
        QCOMPARE(model.status, 200);
        fuzzer.addKnown(QStringLiteral("model"), QStringLiteral("seed-model-%1").arg(i));
    }

    // Admin phase.
    fuzzer.setCaller(admin);
    Figures figures = fuzzer.run(m_count * 6 / 10);
    // Raw requests cost up to 1.5 s each when the server rightly waits for more: a few hundred are enough.
    figures.add(fuzzer.runRaw(std::clamp(m_count / 25, 10, 400)));
    QCOMPARE(fuzzer.call(admin, "GET", QStringLiteral("/health")).status, 200);

    // Non-admin phase: a fresh user, so that nothing the admin phase assigned it changes what it may do. It
    // reads one experiment and one model, edits one experiment, manages one of each.
    const Caller nina{QStringLiteral("nina_%1").arg(m_seed), QStringLiteral("nina-password-123")};
    QCOMPARE(fuzzer
                 .call(admin, "POST", api + QStringLiteral("users/create"),
                       {{"username", nina.username}, {"password", nina.password}})
                 .status,
             200);
    fuzzer.addKnown(QStringLiteral("username"), nina.username);
    QStringList experiments;
    QStringList models;
    for (int i = 0; i < 4; ++i) {
        const auto created = fuzzer.call(admin, "POST", api + QStringLiteral("experiments/create"),
                                         {{"name", QStringLiteral("nina-seed-%1").arg(i)}});
        QCOMPARE(created.status, 200);
        experiments.append(QJsonDocument::fromJson(created.body).object().value("experiment_id").toString());
        fuzzer.addKnown(QStringLiteral("experiment_id"), experiments.last());
        models.append(QStringLiteral("nina-model-%1").arg(i));
        QCOMPARE(fuzzer.call(admin, "POST", api + QStringLiteral("registered-models/create"), {{"name", models.last()}})
                     .status,
                 200);
        fuzzer.addKnown(QStringLiteral("model"), models.last());
    }
    const auto grant = [&](const QString& kind, const QString& id, const QString& permission) {
        if (mlflow3)
            return fuzzer
                .call(admin, "POST", prefix + QStringLiteral("users/permissions/grant"),
                      {{"username", nina.username},
                       {"resource_type", kind},
                       {"resource_id", id},
                       {"permission", permission}})
                .status;
        const bool experiment = kind == QLatin1String("experiment");
        return fuzzer
            .call(
                admin, "POST",
                api + (experiment ? QStringLiteral("experiments") : QStringLiteral("registered-models")) +
                    QStringLiteral("/permissions/create"),
                {{experiment ? "experiment_id" : "name", id}, {"username", nina.username}, {"permission", permission}})
            .status;
    };
    QCOMPARE(grant(QStringLiteral("experiment"), experiments.at(0), QStringLiteral("READ")), 200);
    QCOMPARE(grant(QStringLiteral("experiment"), experiments.at(1), QStringLiteral("EDIT")), 200);
    QCOMPARE(grant(QStringLiteral("experiment"), experiments.at(2), QStringLiteral("MANAGE")), 200);
    QCOMPARE(grant(QStringLiteral("registered_model"), models.at(0), QStringLiteral("READ")), 200);
    QCOMPARE(grant(QStringLiteral("registered_model"), models.at(2), QStringLiteral("MANAGE")), 200);
    const QSet<QString> managedExperiments{experiments.at(2)};
    const QSet<QString> editableExperiments{experiments.at(1), experiments.at(2)};
    const QSet<QString> managedModels{models.at(2)};
    {
        const DatabaseFile tracking(server.file(QStringLiteral("mlflow.db")));
        m_baselineExperiments.clear();
        m_baselineModels.clear();
        for (const QStringList& row : tracking.rows(QStringLiteral("SELECT experiment_id FROM experiments")))
            m_baselineExperiments.insert(row.at(0));
        for (const QStringList& row : tracking.rows(QStringLiteral("SELECT name FROM registered_models")))
            m_baselineModels.insert(row.at(0));
    }
    const QSet<QString> before =
        protectedRows(server, mlflow3, nina.username, managedExperiments, editableExperiments, managedModels, false);
    const QSet<QString> beforeAddable =
        protectedRows(server, mlflow3, nina.username, managedExperiments, editableExperiments, managedModels, true);
    QVERIFY(before.size() > 10);

    fuzzer.setCaller(nina);
    figures.add(fuzzer.run(m_count - m_count * 6 / 10));
    const QSet<QString> after =
        protectedRows(server, mlflow3, nina.username, managedExperiments, editableExperiments, managedModels, false);
    const QSet<QString> afterAddable =
        protectedRows(server, mlflow3, nina.username, managedExperiments, editableExperiments, managedModels, true);
    const QSet<QString> removed = before - after;
    const QSet<QString> added = afterAddable - beforeAddable;
    if (!removed.isEmpty() || !added.isEmpty())
        qWarning("non-admin changed protected rows: removed %s; added %s",
                 qPrintable(QStringList(removed.cbegin(), removed.cend()).join(QStringLiteral("; ")).left(2000)),
                 qPrintable(QStringList(added.cbegin(), added.cend()).join(QStringLiteral("; ")).left(2000)));
    QVERIFY(removed.isEmpty());
    QVERIFY(added.isEmpty());

    // The server still serves, its files are whole, and what it says is what it stored.
    QCOMPARE(fuzzer.call(admin, "GET", QStringLiteral("/health")).status, 200);
    const QStringList files = server.databaseFiles();
    QCOMPARE(files.size(), 2);
    for (const QString& path : files) {
        const DatabaseFile file(path);
        QVERIFY2(file.isOpen(), qPrintable(path));
        QCOMPARE(file.integrity(), QStringLiteral("ok"));
    }
    compareApiWithDatabase(fuzzer, server, mlflow3);

    qInfo("%s: %s", mlflow3 ? "3.14" : "2.15.1", qPrintable(figures.summary()));
    for (const QString& line : figures.unexpected.mid(0, 20))
        qWarning("unexpected: %s", qPrintable(line));
    QVERIFY(figures.statusClasses.value(2) > figures.requests / 20); // templates reach real successes
    QVERIFY(figures.statusClasses.value(4) > 0);
    QCOMPARE(figures.unexpected.size(), 0);
    m_total.add(figures);
}

void FuzzTest::cleanupTestCase()
{
    qInfo("fuzz total (seed %u): %s", m_seed, qPrintable(m_total.summary()));
}

QTEST_GUILESS_MAIN(FuzzTest)
#include "tst_fuzz.moc"
