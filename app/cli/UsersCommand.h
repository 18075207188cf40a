#pragma once

#include "api/WireTypes.h"
#include "app/cli/CliCommand.h"

// `users list|show|create|delete|passwd|set-admin`.
class ApiJob;

class UsersCommand : public CliCommand
{
    Q_OBJECT

public:
    enum class Action { List, Show, Create, Delete, Passwd, SetAdmin };

    UsersCommand(CliContext* context, Action action);
    ~UsersCommand() override;
    static QList<CommandSpec> specs();

    bool readsNewPasswordFromStdin() const override;
    bool prepare() override;
    void start() override;

private:
    void recordChange(const QString& kind, const QString& username, const QString& before, const QString& after,
                      const QString& description, const ApiJob* job);
    void list();
    void listFromAuthDatabase();
    void printListing(const UserListing& listing, const QString& sourceDetail);
    void show();
    void create();
    void remove();
    void changePassword();
    void setAdmin();
    bool obtainNewPassword();

    Action m_action;
    QString m_newPassword;
    bool m_generated = false;
    bool m_admin = false;
};
