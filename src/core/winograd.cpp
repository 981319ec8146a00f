#include "core/winograd.hpp"

#include <algorithm>
#include <string>

#include "lift3d/error.hpp"

namespace lift3d::core {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;

// Interpolation points 0, 1, -1 and infinity. The signs of the first row are chosen so that the
// output transform of y_t is a plain sum.
WinogradTransform make_f23() {
  WinogradTransform f;
  f.outputs = 2;
  f.products = 4;
  f.input = {-1, 0, 1, 0,   //
             0, 1, 1, 0,    //
             0, -1, 1, 0,   //
             0, -1, 0, 1};
  f.weight = {-1, 0, 0,        //
              0.5, 0.5, 0.5,   //
              0.5, -0.5, 0.5,  //
              0, 0, 1};
  f.output = {1, 1, 1, 0,  //
              0, 1, -1, 1};
  return f;
}

// Interpolation points 0, 1, -1, 1/2, -1/2 and infinity: every transform entry is a small integer
// or a power of two in the input and output transforms, so both are exact or nearly so in float32
// (the points +-2 of the usual choice put 1/24 and 1/12 into the weights and 8 into the outputs).
WinogradTransform make_f43() {
  WinogradTransform f;
  f.outputs = 4;
  f.products = 6;
  f.input = {1, 0, -5, 0, 4, 0,    //
             0, -1, -1, 4, 4, 0,   //
             0, 1, -1, -4, 4, 0,   //
             0, -1, -2, 1, 2, 0,   //
             0, 1, -2, -1, 2, 0,   //
             0, 1, 0, -5, 0, 4};
  f.weight = {1, 0, 0,                         //
              1.0 / 6, 1.0 / 6, 1.0 / 6,       //
              1.0 / 6, -1.0 / 6, 1.0 / 6,      //
              -4.0 / 3, -2.0 / 3, -1.0 / 3,    //
              -4.0 / 3, 2.0 / 3, -1.0 / 3,     //
              0, 0, 0.25};
  f.output = {1, 1, 1, 1, 1, 0,                //
              0, 1, -1, 0.5f, -0.5f, 0,        //
              0, 1, 1, 0.25f, 0.25f, 0,        //
              0, 1, -1, 0.125f, -0.125f, 1};
  return f;
}

// A rows x cols view of `storage`, which only ever grows (see the same helper in temporal_model.cpp).
Eigen::Map<Matrix> view(std::vector<float>& storage, Eigen::Index rows, Eigen::Index cols) {
  const auto needed = static_cast<std::size_t>(rows * cols);
  if (storage.size() < needed) std::vector<float>(needed).swap(storage);
  return Eigen::Map<Matrix>(storage.data(), rows, cols);
}

// column = sum of coefficients[i] * sources[i] over the non-null sources with non-zero
// coefficients, or zero when there are none.
void combine(Eigen::Map<Vector> column, const float* coefficients, const float* const* sources, int count,
             Eigen::Index rows) {
  bool written = false;
  for (int i = 0; i < count; ++i) {
    if (coefficients[i] == 0.0f || sources[i] == nullptr) continue;
    const Eigen::Map<const Vector> source(sources[i], rows);
    if (written) column += coefficients[i] * source;
    else column = coefficients[i] * source;
    written = true;
  }
  if (!written) column.setZero();
}


// Rows of transformed weights formed at a time: the panels of every T_i for 128 output channels
// (2.5 MB at 1024 input channels for F(4,3)) stay in the cache while the products read them.
constexpr Eigen::Index kPanelRows = 128;

bool is_first_tap(const double* g) { return g[0] == 1 && g[1] == 0 && g[2] == 0; }

// panels = the rows [first, first + height) of every T_formed[s], T_i = sum_k G[i][k] W_k, one
// row-major height x columns block after another: every block from one pass over those rows of the
// three weight matrices, which are too large for the cache and are read once per chunk this way
// (not once per product).
void form_panels(const ConvTaps& weights, const WinogradTransform& transform, const std::vector<int>& formed,
                 Eigen::Index first, Eigen::Index height, float* panels) {
  const Eigen::Index columns = weights.cols();
  for (Eigen::Index r = 0; r < height; ++r) {
    const float* w0 = weights[0].row(first + r).data();
    const float* w1 = weights[1].row(first + r).data();
    const float* w2 = weights[2].row(first + r).data();
    for (std::size_t s = 0; s < formed.size(); ++s) {
      const double* g = &transform.weight[static_cast<std::size_t>(formed[s]) * 3];
      const float g0 = static_cast<float>(g[0]), g1 = static_cast<float>(g[1]), g2 = static_cast<float>(g[2]);
      float* panel = panels + (static_cast<Eigen::Index>(s) * height + r) * columns;
      for (Eigen::Index c = 0; c < columns; ++c) panel[c] = g0 * w0[c] + g1 * w1[c] + g2 * w2[c];
    }
  }
}

// product.middleCols(i * tiles, tiles) = T_i * v.middleCols(i * tiles, tiles) for every i, with
// T_i formed a panel of rows at a time instead of being stored: the model then holds three weight
// matrices per convolution whatever the tile size (six would be held for F(4,3), 36 MiB more for the
// 243-frame model).
void multiply_transformed(const ConvTaps& weights, const WinogradTransform& transform, const Eigen::Map<Matrix>& v,
                          Eigen::Index tiles, Eigen::Map<Matrix> product) {
  thread_local std::vector<float> panel_storage;  // per thread: several streams may run at once
  const Eigen::Index rows = weights.rows(), columns = weights.cols();
  std::vector<int> formed, slot(static_cast<std::size_t>(transform.products), -1);
  for (int i = 0; i < transform.products; ++i)
    if (!is_first_tap(&transform.weight[static_cast<std::size_t>(i) * 3])) {
      slot[static_cast<std::size_t>(i)] = static_cast<int>(formed.size());
      formed.push_back(i);
    }
  for (Eigen::Index first = 0; first < rows; first += kPanelRows) {
    const Eigen::Index height = std::min(kPanelRows, rows - first);
    float* panels = view(panel_storage, height, columns * static_cast<Eigen::Index>(formed.size())).data();
    form_panels(weights, transform, formed, first, height, panels);
    for (int i = 0; i < transform.products; ++i) {
      auto out = product.block(first, i * tiles, height, tiles);
      const auto in = v.middleCols(i * tiles, tiles);
      const int s = slot[static_cast<std::size_t>(i)];
      if (s < 0) {
        out.noalias() = weights[0].middleRows(first, height) * in;  // T_i = W_0
      } else {
        const Eigen::Map<const RowMajorMatrix> panel(panels + s * height * columns, height, columns);
        out.noalias() = panel * in;
      }
    }
  }
}

}  // namespace

const WinogradTransform& winograd_transform(int outputs) {
  static const WinogradTransform f23 = make_f23(), f43 = make_f43();
  if (outputs == 2) return f23;
  if (outputs == 4) return f43;
  throw InternalError("no Winograd transform for tiles of " + std::to_string(outputs) + " outputs");
}

void plan_tiles(Eigen::Index streams, Eigen::Index width, Eigen::Index lo, Eigen::Index c, Eigen::Index d,
                int tile_outputs, long long origin, TilePlan& plan) {
  const long long block = static_cast<long long>(tile_outputs) * d;
  plan.tiles = 0;
  plan.width = width;
  plan.starts.clear();
  plan.stream.clear();
  plan.tile_of.resize(static_cast<std::size_t>(streams * c));
  plan.slot_of.resize(static_cast<std::size_t>(streams * c));
  for (Eigen::Index s = 0; s < streams; ++s)
    for (Eigen::Index t = 0; t < c; ++t) {
      const auto q = static_cast<std::size_t>(s * c + t);
      const int slot = static_cast<int>(((origin + t) % block) / d);
      plan.slot_of[q] = slot;
      if (slot > 0 && t >= d) {  // the tile already holds the output d frames before
        plan.tile_of[q] = plan.tile_of[q - static_cast<std::size_t>(d)];
        continue;
      }
      plan.tile_of[q] = plan.tiles++;
      plan.starts.push_back(s * width + lo + t - slot * d);
      plan.stream.push_back(s);
    }
}

void winograd_convolve(const ConvTaps& weights, const WinogradTransform& transform, Eigen::Index d,
                       const float* in, Eigen::Index rows, const TilePlan& plan, std::vector<float>& transformed,
                       std::vector<float>& products, Eigen::Ref<Matrix> out) {
  const int n = transform.products;
  const Eigen::Index tiles = plan.tiles;
  if (weights.size() != 3) throw InternalError("Winograd weights are not those of a kernel-3 convolution");
  if (out.cols() != static_cast<Eigen::Index>(plan.tile_of.size()))
    throw InternalError("Winograd output has the wrong size");
  // V: column i * tiles + p holds V_i of tile p. Inputs outside the tile's stream read as zero.
  Eigen::Map<Matrix> v = view(transformed, rows, n * tiles);
  std::vector<const float*> x(static_cast<std::size_t>(n));
  for (Eigen::Index p = 0; p < tiles; ++p) {
    const Eigen::Index first = plan.stream[p] * plan.width, end = first + plan.width;
    for (int k = 0; k < n; ++k) {
      const Eigen::Index column = plan.starts[p] + k * d;
      x[k] = column >= first && column < end ? in + column * rows : nullptr;
    }
    for (int i = 0; i < n; ++i)
      combine(Eigen::Map<Vector>(v.col(i * tiles + p).data(), rows), &transform.input[i * n], x.data(), n, rows);
  }
  const Eigen::Map<Matrix> product = view(products, weights.rows(), n * tiles);
  multiply_transformed(weights, transform, v, tiles, product);
  std::vector<const float*> source(static_cast<std::size_t>(n));
  for (Eigen::Index q = 0; q < out.cols(); ++q) {
    const Eigen::Index p = plan.tile_of[q];
    for (int i = 0; i < n; ++i) source[i] = product.col(i * tiles + p).data();
    combine(Eigen::Map<Vector>(out.col(q).data(), out.rows()), &transform.output[plan.slot_of[q] * n], source.data(),
            n, out.rows());
  }
}

}  // namespace lift3d::core
