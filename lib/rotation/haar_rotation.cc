#include "lib/rotation/haar_rotation.h"

#include <Eigen/Dense>

#include "lib/core/error.h"
#include "lib/core/random.h"

namespace ipaq {

namespace {
size_t checked_haar_dim(size_t d) {
  IPAQ_CHECK_ARG(d > 0, "HaarRotation: dimension must be > 0");
  IPAQ_CHECK_ARG(d <= 16384, "HaarRotation: dimension ", d, " exceeds 16384 (dense d x d matrix)");
  return d;
}
}  // namespace

HaarRotation::HaarRotation(size_t d, uint64_t seed) : Rotation(checked_haar_dim(d), d, seed) {
  const Eigen::Index n = static_cast<Eigen::Index>(d);
  Eigen::MatrixXd g(n, n);
  Rng rng(seed);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) g(i, j) = rng.normal();
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(n, n);
  const Eigen::MatrixXd& r = qr.matrixQR();
  for (Eigen::Index j = 0; j < n; ++j)
    if (r(j, j) < 0) q.col(j) = -q.col(j);
  q_.resize(d * d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) q_[i * d + j] = static_cast<float>(q(i, j));
}

HaarRotation::HaarRotation(size_t d, uint64_t seed, std::vector<float> matrix)
    : Rotation(checked_haar_dim(d), d, seed), q_(std::move(matrix)) {
  IPAQ_CHECK_FORMAT(q_.size() == d * d, "HaarRotation: serialized matrix has ", q_.size(),
                    " values, expected ", d * d);
}

void HaarRotation::apply(const float* x, float* y) const {
  const size_t d = dim();
  for (size_t i = 0; i < d; ++i) {
    const float* row = q_.data() + i * d;
    double s = 0.0;
    for (size_t j = 0; j < d; ++j) s += static_cast<double>(row[j]) * x[j];
    y[i] = static_cast<float>(s);
  }
}

void HaarRotation::apply_transpose(const float* y, float* x) const {
  const size_t d = dim();
  std::vector<double> acc(d, 0.0);
  for (size_t i = 0; i < d; ++i) {
    const float* row = q_.data() + i * d;
    for (size_t j = 0; j < d; ++j) acc[j] += static_cast<double>(row[j]) * y[i];
  }
  for (size_t j = 0; j < d; ++j) x[j] = static_cast<float>(acc[j]);
}

void HaarRotation::serialize_state(ByteWriter& w) const { w.put_vector(q_); }

}  // namespace ipaq
