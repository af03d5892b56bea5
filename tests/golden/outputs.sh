#!/usr/bin/env bash
# Runs a fixed set of dval commands on the bundled data and small synthetic
# sets, keeping every file they write and their stdout, stderr and exit
# status, so that two builds can be compared byte for byte:
#
#   tests/golden/outputs.sh record DVAL OUT_DIR    run the commands with DVAL
#   tests/golden/outputs.sh compare DIR_A DIR_B    compare two recordings
#   tests/golden/outputs.sh rev REV [DVAL]         build REV in a temporary
#       work tree, record both it and DVAL (default build/dval), compare
#
# Times (wall-clock seconds in tables, logs and manifests) are the only
# thing masked before comparing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

record() {
    local dval=$1 out=$2
    rm -rf "$out"; mkdir -p "$out"
    local o=$out n=0
    run() { # run NAME ARGS...: the command's stdout, stderr and exit status
        local name=$1; shift
        n=$((n + 1))
        (cd "$o" && OMP_NUM_THREADS=2 "$dval" "$@" >"$o/$name.stdout" 2>"$o/$name.stderr"; echo $? >"$o/$name.exit")
    }
    local bundled="$src/data/adult_4000.csv.gz"
    run synth_clf synth linear-clf -o d.csv --rows 400 --features 4 --noise 1 --seed 3
    run synth_reg synth linear-reg -o r.csv --rows 300 --features 3 --noise 1 --seed 8
    run synth_tiny synth linear-clf -o tiny.csv --rows 40 --features 2 --noise 1 --seed 9
    run synth_g2d synth gauss2d -o g.csv --rows 300 --seed 1
    local D=(--data d.csv --val 100 --test 60 --seed 1)
    # the sampler, fits and values on the bundled data
    run sample sample --data "$bundled" -o run --points 40 --samples 16 --min-card 50 --max-card 400 --seed 2 -q
    run sample_grid sample --data "$bundled" -o grid --points 20 --samples 6 --mode grid --cards 50,100,200,400 --seed 2 -q
    run sample_reg sample --data r.csv --task regression --learner ridge --lambda 2 --metric r2 -o reg --samples 6 --points 20 --min-card 20 --max-card 100 -q
    run fit fit run
    run fit_grid fit grid
    run fit_reg fit reg
    run fit_arrays fit --deltas run/deltas.npy --cards run/cards.npy -o s2.csv
    run value value --from run --at 50 --at 200 --top 5
    run value_grid value --from grid
    run value_reg value --from reg
    run curve curve --data d.csv --val 100 --test 60 -o curve --cards 20,40,80,160 --samples 4
    # every method
    for m in loo tmc beta banzhaf knn oob ame influence lava cg random; do
        run "method_$m" value --method $m "${D[@]}" --max-samples 40 --min-samples 40 -o "m_$m.csv" -q
    done
    run method_exact value --method exact --data tiny.csv --val 20 --test 10 -o m_exact.csv -q
    run method_exact_banzhaf value --method exact-banzhaf --data tiny.csv --val 20 --test 10 -o m_exact_banzhaf.csv -q
    run method_tree value --method oob --learner tree "${D[@]}" --max-samples 30 -o m_oob_tree.csv -q
    run method_influence_explain value --method influence "${D[@]}" --explain 2 -o explain.csv
    # tasks
    run eval_noisy eval noisy "${D[@]}" --methods loo,knn,influence,random --rho 0.2 -o noisy.csv --values-out noisy_values.csv
    run eval_removal eval removal "${D[@]}" --method knn --bin 0.1 --max-fraction 0.3 -o removal.csv
    run eval_removal_r eval removal "${D[@]}" --method random --bin 0.1 --max-fraction 0.3 -o removal_r.csv
    run sample_add sample "${D[@]}" -o arun --samples 8 --points 30 --min-card 10 --max-card 60 -q
    run eval_addition eval addition --from arun "${D[@]}" --sizes 20,60 --add 6 --reps 5 -o add.csv
    run eval_estimators eval estimators run --budgets 4,8,12 -o est.csv
    # figures
    for f in png svg; do
        run "plot_law_$f" plot law run -o "law.$f" --data law.data.csv
        run "plot_validation_$f" plot validation grid -o "validation.$f" --data validation.data.csv
        run "plot_hist_$f" plot hist run -o "hist.$f" --data hist.data.csv
        run "plot_distance_$f" plot distance run --data "$bundled" -o "distance.$f" --plot-data distance.data.csv
        run "plot_convergence_$f" plot convergence est.csv -o "convergence.$f" --data convergence.data.csv
        run "plot_noisy_$f" plot noisy noisy_values.csv -o "noisy.$f" --data noisy.data.csv
        run "plot_removal_$f" plot removal removal.csv removal_r.csv --names KNN,Random -o "removal.$f" --data removal.data.csv
        run "plot_addition_$f" plot addition add.csv -o "addition.$f" --data addition.data.csv
    done
    run report report run -o report.html
    run report_grid report grid -o report_grid.html
    # errors
    run err_unknown frobnicate
    run err_option value --method loo "${D[@]}" --bogus
    run err_missing sample --data nosuch.csv -o x
    for c in demo synth sample fit value curve eval plot report; do run "help_$c" $c --help; done
    echo "$n commands recorded in $out" >&2
}

# Wall-clock times ("seconds" fields and columns, "in 1.2 s" in logs) and
# the recording's own folder are masked; nothing else is.
mask() { # mask FILE DIR
    sed -e "s#$2#DIR#g" "$1" | awk '
        /seconds/ && !hdr { hdr = 1; n = split($0, h, /,/); if (n == 1) n = split($0, h, / +/)
                            for (i = 1; i <= n; i++) if (h[i] == "seconds") col = i
                            print; next }
        col && /,/ { n = split($0, f, /,/); f[col] = "T"; s = f[1]; for (i = 2; i <= n; i++) s = s "," f[i]; print s; next }
        col { n = split($0, f, / +/); if (n >= col) $col = "T"; print; next }
        { print }' |
        sed -E -e 's/("[a-z_]*seconds[a-z_]*"|"elapsed")[[:space:]]*:[[:space:]]*[-0-9.eE+]+/\1: T/g' \
               -e 's/[0-9]+(\.[0-9]+)? s\b/T s/g'
}

compare() {
    local a=$1 b=$2 bad=0 f
    local list; list=$( (cd "$a" && find . -type f; cd "$b" && find . -type f) | sort -u)
    for f in $list; do
        if [ ! -f "$a/$f" ] || [ ! -f "$b/$f" ]; then
            echo "only in one: $f"; bad=$((bad + 1)); continue
        fi
        cmp -s "$a/$f" "$b/$f" && continue
        case "$f" in
            *.png|*.pdf|*.npy|*.gz) echo "differs: $f"; bad=$((bad + 1)); continue ;;
        esac
        if ! cmp -s <(mask "$a/$f" "$a") <(mask "$b/$f" "$b"); then
            echo "differs: $f"; diff <(mask "$a/$f" "$a") <(mask "$b/$f" "$b") | head -5
            bad=$((bad + 1))
        fi
    done
    echo "$(echo "$list" | wc -l) files compared, $bad differ"
    [ "$bad" -eq 0 ]
}

case "${1:-}" in
    record) record "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")" "$3" ;;
    compare) compare "$2" "$3" ;;
    rev)
        rev=$2; new=${3:-$src/build/dval}
        new="$(cd "$(dirname "$new")" && pwd)/$(basename "$new")"
        tmp=$(mktemp -d /tmp/dval_golden_XXXXXX)
        git -C "$src" worktree add --detach "$tmp/tree" "$rev" >/dev/null || exit 1
        cmake -S "$tmp/tree" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
            cmake --build "$tmp/build" -j "$(nproc)" --target dval_cli >/dev/null || exit 1
        record "$tmp/build/dval" "$tmp/old" && record "$new" "$tmp/new"
        compare "$tmp/old" "$tmp/new"; rc=$?
        git -C "$src" worktree remove --force "$tmp/tree"
        echo "recordings kept in $tmp/old and $tmp/new" >&2
        exit $rc ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
