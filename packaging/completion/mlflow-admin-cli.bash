# bash completion for mlflow-admin-cli: commands, their sub-commands, options, levels and saved profile names.

_mlflow_admin_cli_profiles()
{
    # Profile names are the groups of profiles.ini, hex-encoded by the program; `profiles list --json` decodes them.
    mlflow-admin-cli profiles list --json 2>/dev/null |
        sed -n 's/^ *"name": *"\(.*\)",\{0,1\}$/\1/p'
}

_mlflow_admin_cli()
{
    local cur prev words cword
    _init_completion || return

    local global="--url --user --profile --password-stdin --auth-db --json --ca-bundle --pin-sha256 --timeout
        --workspace --help --version"
    local commands="probe users experiments models grant revoke access matrix report snapshot diff audit apply roles workspaces profiles serve"
    local levels="READ USE EDIT MANAGE NO_PERMISSIONS"

    case $prev in
        --profile)
            COMPREPLY=($(compgen -W "$(_mlflow_admin_cli_profiles)" -- "$cur"))
            return
            ;;
        --ca-bundle | --tls-cert | --tls-key | --config)
            _filedir
            return
            ;;
        --data-dir)
            _filedir -d
            return
            ;;
        --format)
            if [[ " ${words[*]} " == *" report "* ]]; then
                COMPREPLY=($(compgen -W "pdf html csv json" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "table csv json" -- "$cur"))
            fi
            return
            ;;
        --layout)
            COMPREPLY=($(compgen -W "auto wide long" -- "$cur"))
            return
            ;;
        --api)
            COMPREPLY=($(compgen -W "2 3" -- "$cur"))
            return
            ;;
        --default-permission)
            COMPREPLY=($(compgen -W "$levels" -- "$cur"))
            return
            ;;
        --url | --user | --auth-db | --pin-sha256 | --timeout | --workspace | --host | --port | --experiment | \
            --model | --filter | --description)
            return
            ;;
    esac

    # The command and its sub-command are the first words that are not options or option values.
    local i command="" sub=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --url | --user | --profile | --auth-db | --ca-bundle | --pin-sha256 | --timeout | --workspace)
                ((i++))
                ;;
            -*) ;;
            *)
                if [[ -z $command ]]; then
                    command=${words[i]}
                elif [[ -z $sub ]]; then
                    sub=${words[i]}
                fi
                ;;
        esac
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local words_for=""
    case $command in
        users) [[ -z $sub ]] && words_for="list show create delete passwd set-admin" ||
            words_for="--admin --password-stdin --generate-password yes no" ;;
        experiments) [[ -z $sub ]] && words_for="list" || words_for="--filter --deleted --all" ;;
        models) [[ -z $sub ]] && words_for="list" ;;
        grant | revoke) words_for="$levels --experiment --model" ;;
        access) words_for="--user --experiment --model --default-permission" ;;
        matrix) words_for="--format --layout --default-permission" ;;
        snapshot)
            [[ -z $sub ]] && words_for="save" || { _filedir json; return; } ;;
        audit) [[ -z $sub ]] && words_for="list verify" || words_for="--since --until --user --resource" ;;
        diff)
            if [[ $cur != -* ]]; then
                _filedir json
                return
            fi
            words_for="--live --json"
            ;;
        report)
            if [[ $prev == -o || $prev == --output || $prev == --snapshot ]]; then
                _filedir
                return
            fi
            words_for="--format -o --output --user --experiment --model --snapshot --default-permission"
            ;;
        apply)
            if [[ $cur != -* ]]; then
                _filedir csv
                return
            fi
            words_for="--dry-run"
            ;;
        roles) [[ -z $sub ]] && words_for="list show create delete rename describe grant revoke assign unassign" ||
            words_for="$levels --experiment --model --all-experiments --all-models --description --dry-run --all" ;;
        workspaces) [[ -z $sub ]] && words_for="list" ;;
        profiles) [[ -z $sub ]] && words_for="list add remove" ||
            words_for="--url --user --ca-bundle --pin-sha256 --auth-db --default-permission --workspace --save-password
                $(_mlflow_admin_cli_profiles)" ;;
        serve) words_for="--api --workspaces --demo --host --port --data-dir --config --tls-cert --tls-key" ;;
    esac
    COMPREPLY=($(compgen -W "$words_for $global" -- "$cur"))
}

complete -F _mlflow_admin_cli mlflow-admin-cli
