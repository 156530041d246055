# Scenario B of hs-bench: CPU and peak memory against the number of sources.
#   gnuplot -e "datafile='scaling.dat'; outfile='scaling.png'" bench/plot.gp
# Columns of scaling.dat: 1 N, 2 CPU s without recorders, 3 CPU s encoded,
# 4 added CPU s per source, 5 RSS MB without, 6 RSS MB encoded, 7 added RSS MB
# per source, 8 lost, 9 dropped, 10 duration s, 11 cores.
if (!exists("datafile")) datafile = 'scaling.dat'
if (!exists("outfile")) outfile = 'scaling.png'

set terminal pngcairo size 1200,520 font "sans,10"
set output outfile
set multiplot layout 1,2 title \
  "hindsight, scenario B: N live 640x480 30 fps sources, encoded mode, pre 10 s, a trigger per source every 7 s"
set grid
set key top left
set xlabel "sources (N)"
set logscale x 2
set xrange [0.8:10]
set xtics (1, 2, 4, 8)
set yrange [0:*]

set ylabel "CPU, % of one core"
stats datafile using 11 nooutput
cores = STATS_max
plot datafile using 1:(100*$3/$10) with linespoints lw 2 pt 7 title "with recorders", \
     '' using 1:(100*$2/$10) with linespoints lw 2 pt 5 title "same pipeline, no recorder", \
     '' using 1:(100*($3-$2)/$10) with linespoints lw 2 pt 9 title "added by hindsight", \
     '' using 1:(($8+$9) > 0 ? 100*$3/$10 : 1/0) with points pt 6 ps 3 lw 2 lc rgb "red" \
        title "frames lost or dropped", \
     100*cores with lines dt 2 lc rgb "gray40" title sprintf("machine: %d cores", cores)

set ylabel "peak RSS, MB"
plot datafile using 1:6 with linespoints lw 2 pt 7 title "with recorders", \
     '' using 1:5 with linespoints lw 2 pt 5 title "same pipeline, no recorder", \
     '' using 1:($6-$5) with linespoints lw 2 pt 9 title "added by hindsight"
unset multiplot
