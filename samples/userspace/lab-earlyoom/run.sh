#!/bin/bash
# kill2 lab run: $1 = run name, $2 = hog arg
set -u
name=$1; arg=${2:-}
rm -f eo.fifo; mkfifo eo.fifo
logger -u /tmp/kill2-lab/log.sock -t kill2-lab "run $name start"
./memhog-kill2 $arg > hog-$name.out 2>&1 &
HOG=$!
sleep 1
earlyoom -r 3600 -m 80,70 -s 100 --prefer '^memhog-kill2$' > eo.fifo 2>&1 &
EO=$!
tee earlyoom-stderr-$name.txt < eo.fifo | logger -u /tmp/kill2-lab/log.sock -t earlyoom --id=$EO &
wait $HOG; echo "hog exit status $?" >> hog-$name.out
sleep 3
kill $EO
sleep 1
logger -u /tmp/kill2-lab/log.sock -t kill2-lab "run $name end"
