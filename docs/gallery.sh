#!/bin/sh
# Regenerates the README's gallery (docs/gallery/*.png) from the bundled
# data: the demo run, a grid-mode run, the evaluation tasks, and a 2-D mesh
# for the map.  usage: sh docs/gallery.sh [BUILD_DIR]   (about 3 minutes on
# two cores; the demo run is reused when present in dval-demo/)
set -e
B=${1:-build}
D=data/adult_4000.csv.gz
G=docs/gallery
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p $G
P="--dpi 150"

[ -f dval-demo/run/values.csv ] || "$B/dval" demo -q >/dev/null
"$B/dval" plot law dval-demo/run -o $G/law.png $P
"$B/dval" plot hist dval-demo/run -o $G/hist.png $P
"$B/dval" plot distance dval-demo/run --data $D -o $G/distance.png $P

"$B/dval" sample --data $D -o "$W/grid" --points 300 --mode grid --samples 20 -q
"$B/dval" plot validation "$W/grid" -o $G/validation.png $P

"$B/dval" eval estimators dval-demo/run --budgets 5,10,20,50,100,200 -o "$W/est.csv" >/dev/null
"$B/dval" plot convergence "$W/est.csv" -o $G/convergence.png $P

"$B/dval" eval noisy --data $D --methods oob,knn,influence,loo,random \
    -o "$W/noisy.csv" --values-out "$W/values.csv" >/dev/null
"$B/dval" plot noisy "$W/values.csv" -o $G/noisy.png $P

"$B/dval" eval removal --data $D --method knn -o "$W/knn.csv" >/dev/null
"$B/dval" eval removal --data $D --method random -o "$W/random.csv" >/dev/null
"$B/dval" plot removal "$W/knn.csv" "$W/random.csv" -o $G/removal.png $P

"$B/dval" sample --data $D -o "$W/cand" --points 400 --samples 100 -q
"$B/dval" eval addition --from "$W/cand" --data $D --sizes 100,1000 --add 50 --reps 200 \
    -o "$W/add.csv" >/dev/null
"$B/dval" plot addition "$W/add.csv" -o $G/addition.png $P

# The map: KNN-Shapley value of a training point at each node of a 41 x 41
# mesh over [-3, 3]^2, labelled 1 above y = sin(x) with 8 % of the labels
# flipped (the flipped nodes stand out as low values), validated on 400
# random points from the same rule; the true boundary drawn over it.
awk 'BEGIN { srand(3); print "x,y,label"
    for (i = 0; i <= 40; i++) for (j = 0; j <= 40; j++) {
        x = -3 + 0.15 * j; y = -3 + 0.15 * i; l = y > sin(x) ? 1 : 0
        if (rand() < 0.08) l = 1 - l
        printf "%.2f,%.2f,%d\n", x, y, l } }' > "$W/mesh.csv"
awk 'BEGIN { srand(4); print "x,y,label"
    for (k = 0; k < 400; k++) { x = -3 + 6 * rand(); y = -3 + 6 * rand(); l = y > sin(x)
        printf "%.4f,%.4f,%d\n", x, y, l } }' > "$W/val.csv"
"$B/dval" value --method knn --data "$W/mesh.csv" --val-data "$W/val.csv" --test-data "$W/val.csv" \
    --no-standardize -o "$W/knn_mesh.csv" >/dev/null 2>&1
paste -d, "$W/mesh.csv" "$W/knn_mesh.csv" | awk -F, 'NR == 1 { print "x,y,value"; next }
    { print $1 "," $2 "," $5 }' > "$W/grid.csv"
awk -F, 'NR == 1 { print "x,y,class"; next } NR % 7 == 0 { print }' "$W/val.csv" > "$W/pts.csv"
awk 'BEGIN { print "curve,x,y"; for (j = 0; j <= 120; j++) { x = -3 + 0.05 * j
    printf "0,%.4f,%.6f\n", x, sin(x) } }' > "$W/curve.csv"
"$B/dval" plot map "$W/grid.csv" --points "$W/pts.csv" --curves "$W/curve.csv" \
    --value-label "KNN-Shapley value" --title "KNN-Shapley values on a mesh, 8 % flipped" \
    -o $G/map.png $P
ls -l $G
