// ChunkPipeline: a producer fills fixed-size chunks of rows while ONE consumer thread processes the
// previous chunk, in the order they were filled (double buffering). Reopen uses it so that reading
// `codes` from RocksDB (this thread) and appending the codes to the in-memory index (the consumer)
// overlap instead of taking turns.
//
// Use: fill current() (its two vectors are cleared for you), submit() it, repeat; finish() once at the
// end. submit() waits until the consumer has released the other buffer. The consumer's first exception
// stops further processing and is rethrown by the next submit() or by finish(); chunks submitted after it
// are dropped. The destructor (e.g. when the producer throws) lets the consumer finish its current chunk,
// drops the rest and joins; it never throws.
//
// Thread-safety: one producer thread; process() runs on the consumer thread only, one chunk at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ipaq::storage {

struct RowChunk {
  std::vector<int64_t> ids;
  std::vector<uint8_t> codes;  // ids.size() rows, back to back
};

class ChunkPipeline {
 public:
  // rows, row_bytes: capacity reserved in each of the two buffers.
  ChunkPipeline(size_t rows, size_t row_bytes, std::function<void(const RowChunk&)> process)
      : process_(std::move(process)) {
    for (RowChunk& chunk : chunks_) {
      chunk.ids.reserve(rows);
      chunk.codes.reserve(rows * row_bytes);
    }
    consumer_ = std::thread([this] { consume(); });
  }
  ~ChunkPipeline() { stop(); }
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;

  RowChunk& current() { return chunks_[filling_]; }

  // Hands current() to the consumer; the other buffer becomes current() once the consumer is done with it.
  void submit() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !busy_; });
    rethrow_error(lock);
    busy_ = true;
    filling_ ^= 1;
    changed_.notify_all();
    lock.unlock();
    chunks_[filling_].ids.clear();
    chunks_[filling_].codes.clear();
  }

  // Waits for the last submitted chunk, stops the consumer and rethrows its error, if any.
  void finish() {
    stop();
    std::unique_lock lock(mutex_);
    rethrow_error(lock);
  }

 private:
  void consume() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return busy_ || done_; });
      if (!busy_) return;
      const RowChunk& chunk = chunks_[filling_ ^ 1];
      if (!error_) {
        lock.unlock();
        std::exception_ptr error;
        try {
          process_(chunk);
        } catch (...) {
          error = std::current_exception();
        }
        lock.lock();
        error_ = error;
      }
      busy_ = false;
      changed_.notify_all();
    }
  }

  void stop() {
    if (!consumer_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    changed_.notify_all();
    consumer_.join();
  }

  void rethrow_error(std::unique_lock<std::mutex>& lock) {
    if (!error_) return;
    std::exception_ptr error = error_;
    lock.unlock();
    std::rethrow_exception(error);
  }

  std::function<void(const RowChunk&)> process_;
  RowChunk chunks_[2];
  int filling_ = 0;      // the producer's buffer; the consumer's is filling_ ^ 1 while busy_
  bool busy_ = false;    // a submitted chunk is waiting for or inside process_
  bool done_ = false;
  std::exception_ptr error_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::thread consumer_;  // last: started after every other member exists
};

}  // namespace ipaq::storage
