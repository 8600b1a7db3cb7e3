"""edXML exchange (QCVN 102:2016/BTTTT): packets out and in, status packets, folder outbox/inbox."""
