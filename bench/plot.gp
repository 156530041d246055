# Scenario B of hs-bench: CPU and peak memory against the number of sources.
#   gnuplot -e "datafile='scaling.dat'; outfile='scaling.png'" bench/plot.gp
# Columns of scaling.dat: 1 N; CPU in % of one core (CPU time / wall time):
# 2 without recorders, 3 encoded mode, 4 encoded mode with threads=1; peak RSS
# in MB: 5 without, 6 encoded, 7 encoded with threads=1; frames lost or
# dropped: 8 encoded, 9 encoded with threads=1; 10 cores of the machine.
if (!exists("datafile")) datafile = 'scaling.dat'
if (!exists("outfile")) outfile = 'scaling.png'

set terminal pngcairo size 1200,560 font "sans,10"
set output outfile
set multiplot layout 1,2 title \
  "hindsight, scenario B: N live 640x480 30 fps sources, encoded mode, pre 10 s, a trigger per source every 7 s\nred circles: frames lost or dropped"
set grid
set key below
set xlabel "sources (N)"
set xrange [0:9]
set xtics (1, 2, 4, 8)

stats datafile using 10 nooutput
cores = STATS_max

set ylabel "CPU, % of one core"
set yrange [0:110*cores]
plot datafile using 1:3 with linespoints lw 2 pt 7 lc 1 title "recorders (default threads)", \
     '' using 1:4 with linespoints lw 2 pt 7 dt 3 lc 1 title "recorders, threads=1", \
     '' using 1:2 with linespoints lw 2 pt 5 lc 2 title "no recorder", \
     '' using 1:($8 > 0 ? $3 : 1/0) with points pt 6 ps 3 lw 2 lc rgb "red" notitle, \
     '' using 1:($9 > 0 ? $4 : 1/0) with points pt 6 ps 3 lw 2 lc rgb "red" notitle, \
     100*cores with lines dt 2 lc rgb "gray40" title sprintf("%d cores", cores)

set ylabel "peak RSS, MB"
set yrange [0:*]
plot datafile using 1:6 with linespoints lw 2 pt 7 lc 1 title "recorders (default threads)", \
     '' using 1:7 with linespoints lw 2 pt 7 dt 3 lc 1 title "recorders, threads=1", \
     '' using 1:5 with linespoints lw 2 pt 5 lc 2 title "no recorder", \
     '' using 1:($8 > 0 ? $6 : 1/0) with points pt 6 ps 3 lw 2 lc rgb "red" notitle, \
     '' using 1:($9 > 0 ? $7 : 1/0) with points pt 6 ps 3 lw 2 lc rgb "red" notitle
unset multiplot
