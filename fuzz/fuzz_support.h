#pragma once
// What the harnesses share: a scratch folder on tmpfs (the store fsyncs every file; on tmpfs that
// costs nothing), a free loopback port, and one loopback exchange (send the input, read the answer
// until the server closes).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace atrium::fuzz {

// A fresh folder under /dev/shm (or /tmp where there is none), removed at exit.
std::filesystem::path scratchFolder(const std::string& name);
// A TCP port nothing listens on now (bound to 127.0.0.1 and released).
int freeLoopbackPort();
// Wait until something accepts on 127.0.0.1:port (bounded: 10 s); false if nothing does.
bool waitForListener(int port);
// Connect to 127.0.0.1:port, send the bytes, close our sending side, read until the server closes
// or `timeoutMs` passes. Returns the bytes read (what the server answered).
std::string exchange(int port, const std::uint8_t* data, std::size_t size, int timeoutMs);
// Quiet logs: the servers' refusals of malformed input are expected by the million.
void quietLogs();

}  // namespace atrium::fuzz
