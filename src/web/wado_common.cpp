#include "web/wado_common.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <httplib.h>

#include <fstream>
#include <memory>

#include "common/log.h"
#include "dicom/transcode.h"
#include "web/media_type.h"
#include "web/multipart.h"

namespace atrium::web {

bool acceptedDicomSyntax(const std::string& accept, std::string& ts) {
  auto ranges = parseMediaRanges(accept);
  if (ranges.empty()) {
    ts = kExplicitLittleEndian;
    return true;
  }
  for (const auto& r : ranges) {
    bool dicom = r.type == "*/*" || r.type == "application/dicom" ||
                 (r.type == "multipart/related" && (r.param("type").empty() || r.param("type") == "application/dicom"));
    if (!dicom) continue;
    std::string t = r.param("transfer-syntax");
    ts = t.empty() ? kExplicitLittleEndian : t;
    return true;
  }
  return false;
}

namespace {

struct InstanceStream {
  std::vector<StoredInstance> items;
  std::string ts, boundary;
  std::size_t next = 0;
  std::ifstream file;
  std::string pending;
  std::vector<char> buffer = std::vector<char>(256 * 1024);
};

}  // namespace

// When every part is a stored file as it is, the body's length is known: a sized body, read from
// the files in large pieces (the fast path: no chunk framing, no conversion).
bool streamStoredFiles(httplib::Response& res, const std::shared_ptr<InstanceStream>& st) {
  std::vector<std::string> headers;
  std::size_t total = 0;
  for (std::size_t i = 0; i < st->items.size(); ++i) {
    const auto& item = st->items[i];
    if (st->ts != "*" && st->ts != item.transferSyntax) return false;
    std::error_code ec;
    auto size = std::filesystem::file_size(item.file, ec);
    if (ec) return false;
    headers.push_back((i ? "\r\n" : "") +
                      partHeader(st->boundary, "application/dicom; transfer-syntax=" + item.transferSyntax));
    total += headers.back().size() + size;
  }
  std::string closing = closingDelimiter(st->boundary);
  total += closing.size();
  st->buffer.resize(1024 * 1024);
  auto next = std::make_shared<std::size_t>(0);
  res.set_content_provider(total, "multipart/related; type=\"application/dicom\"; boundary=" + st->boundary,
                           [st, headers, closing, next](std::size_t, std::size_t, httplib::DataSink& sink) {
                             if (st->file.is_open()) {
                               st->file.read(st->buffer.data(), static_cast<std::streamsize>(st->buffer.size()));
                               auto n = st->file.gcount();
                               if (n <= 0 || st->file.eof()) st->file.close();
                               return n <= 0 || sink.write(st->buffer.data(), static_cast<std::size_t>(n));
                             }
                             if (*next < st->items.size()) {
                               const auto& item = st->items[*next];
                               const std::string& h = headers[(*next)++];
                               st->file.open(item.file, std::ios::binary);
                               return static_cast<bool>(st->file) && sink.write(h.data(), h.size());
                             }
                             return sink.write(closing.data(), closing.size());
                           });
  return true;
}

void streamInstances(httplib::Response& res, std::vector<StoredInstance> items, const std::string& ts) {
  auto st = std::make_shared<InstanceStream>();
  st->items = std::move(items);
  st->ts = ts;
  st->boundary = newBoundary();
  res.status = 200;
  if (streamStoredFiles(res, st)) return;
  res.set_chunked_content_provider(
      "multipart/related; type=\"application/dicom\"; boundary=" + st->boundary,
      [st](std::size_t, httplib::DataSink& sink) {
        if (!st->pending.empty()) {
          std::string out;
          out.swap(st->pending);
          return sink.write(out.data(), out.size());
        }
        if (st->file.is_open()) {
          st->file.read(st->buffer.data(), static_cast<std::streamsize>(st->buffer.size()));
          auto n = st->file.gcount();
          if (n <= 0 || st->file.eof()) st->file.close();
          return n <= 0 || sink.write(st->buffer.data(), static_cast<std::size_t>(n));
        }
        while (st->next < st->items.size()) {
          const auto& item = st->items[st->next++];
          std::string prefix = st->next > 1 ? "\r\n" : "";
          if (st->ts == "*" || st->ts == item.transferSyntax) {
            st->file.open(item.file, std::ios::binary);
            if (!st->file) {
              log::error("WADO: cannot open ", item.file.string());
              continue;
            }
            st->pending =
                prefix + partHeader(st->boundary, "application/dicom; transfer-syntax=" + item.transferSyntax);
            return true;
          }
          DcmFileFormat ff;
          std::string bytes, error;
          if (!dicom::loadInTransferSyntax(item.file, item.transferSyntax, st->ts, ff, error) ||
              !dicom::writePart10(ff, st->ts, bytes, error)) {
            // Headers are gone already: the part is left out and the reason logged.
            log::warn("WADO: ", item.sopUid, " left out: ", error);
            continue;
          }
          st->pending = prefix + partHeader(st->boundary, "application/dicom; transfer-syntax=" + st->ts) + bytes;
          return true;
        }
        std::string end = closingDelimiter(st->boundary);
        sink.write(end.data(), end.size());
        sink.done();
        return true;
      });
}

}  // namespace atrium::web
