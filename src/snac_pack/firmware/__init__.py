"""Firmware: hls4ml conversion with bit-accurate verification, vendor builds when present, the open flow.

Knows nothing of Kedro. :func:`~snac_pack.firmware.hls.convert` writes and compiles an hls4ml
project of a QKeras network; :func:`~snac_pack.firmware.verify.compare` checks its C simulation
against QKeras; :mod:`~snac_pack.hardware` supplies the open flow (da4ml Verilog and Yosys).
"""
