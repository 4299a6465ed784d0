# Chart of the latest comparison: gnuplot -e "datadir='tests/bench/results'; out='tests/bench/results/latest.png'" tests/bench/chart.gp
# Reads throughput.dat, latency.dat and cpu.dat written by `OrleansBroker.Benchmarks report`.
if (!exists("datadir")) datadir = 'tests/bench/results'
if (!exists("out")) out = datadir.'/latest.png'
set terminal pngcairo size 1500,1300 font "sans,10"
set output out
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics rotate by -25 left nomirror
set logscale y
set format y "%.0s%c"
set multiplot layout 3,1 title "OrleansBroker vs RabbitMQ — same machine, same client, same run (medians)"
set title "Throughput (msg/s, calls/s; higher is better; log scale)"
plot datadir.'/throughput.dat' using 2:xtic(1) title columnheader(2) lc rgb "#ff6600", '' using 3 title columnheader(3) lc rgb "#3366cc"
set title "Latency (ms; lower is better; log scale)"
set format y "%g"
plot datadir.'/latency.dat' using 2:xtic(1) title columnheader(2) lc rgb "#ff6600", '' using 3 title columnheader(3) lc rgb "#3366cc"
set title "Broker CPU per message (µs, from /proc/PID/stat; lower is better; log scale)"
plot datadir.'/cpu.dat' using 2:xtic(1) title columnheader(2) lc rgb "#ff6600", '' using 3 title columnheader(3) lc rgb "#3366cc"
unset multiplot
