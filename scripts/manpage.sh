#!/bin/sh
# manpage.sh DVAL VERSION OUT -- writes dval(1) from the command's own help:
# `dval --help`, then `dval help COMMAND` for each command it lists, and the
# help of each subcommand those list (eval's tasks, plot's figures, study's
# studies), as preformatted sections.  Written to OUT.tmp, then renamed.
set -eu
DVAL=$1 VERSION=$2 OUT=$3
TMP="$OUT.tmp.$$"
trap 'rm -f "$TMP"' EXIT

# roff: backslashes doubled, a leading dot or quote escaped
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
# the words indented by two spaces at the start of a line, between two lines
names() { sed -n "/$1/,/$2/p" | sed -n 's/^  \([a-z][a-z0-9-]*\)  .*/\1/p'; }
section() { # title, then the help text on stdin
    printf '.SS "%s"\n.nf\n' "$1"
    esc
    printf '.fi\n'
}

{
    printf '.TH DVAL 1 "" "dval %s" "User Commands"\n' "$VERSION"
    printf '.SH NAME\ndval \\- the value of each training point: data valuation and scaling laws\n'
    printf '.SH SYNOPSIS\n.B dval\n.I COMMAND\n[options]\n'
    printf '.SH DESCRIPTION\n.nf\n'
    "$DVAL" --help | esc
    printf '.fi\n.SH COMMANDS\n'
    for c in $("$DVAL" --help | names '^Commands:' '^$'); do
        case $c in help | version) continue ;; esac
        "$DVAL" help "$c" | section "dval $c"
        case $c in
        eval) subs=$("$DVAL" eval --help | sed -n 's/^ *\(usage:\)\{0,1\} *dval eval \([a-z]*\) .*/\2/p') ;;
        plot) subs=$("$DVAL" plot --help | names '^Draws a figure' '^Figure options:') ;;
        study) subs=$("$DVAL" study --help | sed -n 's/^usage: dval study \([a-z]*\) .*/\1/p') ;;
        value) # its other forms, each with its own help
            "$DVAL" value --method tmc --help | section "dval value --method NAME"
            "$DVAL" value --law-model --help | section "dval value --law-model FILE"
            subs= ;;
        *) subs= ;;
        esac
        parent=$("$DVAL" help "$c")
        for s in $subs; do
            text=$("$DVAL" "$c" "$s" --help)
            [ "$text" = "$parent" ] && continue # the command's help, shown above
            printf '%s\n' "$text" | section "dval $c $s"
        done
    done
    printf '.SH ENVIRONMENT\n'
    printf '.TP\n.B DVAL_DATA_DIR\nwhere dval demo finds its bundled data set.\n'
    printf '.TP\n.B OMP_NUM_THREADS\nthe number of threads when --threads is not given (by default, all cores).\n'
    printf '.SH SEE ALSO\nThe README and docs/ of the source distribution.\n'
} >"$TMP"
mv "$TMP" "$OUT"
trap - EXIT
