package dev.fulcrum.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The scaling lab's results, drawn by JFreeChart against the cores given to the tier each
 * series scales: the sustained rate (with the line of perfect scaling from one
 * api-service replica), and p99 at that rate.
 */
public final class ScalingChart {

	private static final Map<String, Color> COLOURS = Map.of("horizontal", new Color(31, 119, 180), "vertical",
			new Color(255, 127, 14), "gateway", new Color(44, 160, 44));

	private static final Map<String, String> NAMES = Map.of("horizontal", "horizontal: api-service replicas x quota",
			"vertical", "vertical: one api-service replica", "gateway", "gateway's own quota (api-service unlimited)");

	private ScalingChart() {
	}

	/**
	 * Draws the chart as a PNG.
	 * @param points the lab's configurations
	 * @param title the chart's title
	 * @param p99TargetMillis the latency target, drawn as a line
	 * @param file where to write it
	 */
	public static void write(List<ScalingLab.Point> points, String title, double p99TargetMillis, Path file) {
		Map<String, XYSeries> rates = new LinkedHashMap<>();
		Map<String, XYSeries> p99s = new LinkedHashMap<>();
		XYSeries ideal = new XYSeries("perfect scaling from one replica");
		double perCore = 0;
		double most = 0;
		for (ScalingLab.Point point : points) {
			String series = point.series();
			rates.computeIfAbsent(series, (name) -> new XYSeries(NAMES.get(name)))
				.add(point.cores(), point.result().sustained());
			if (point.result().best() != null) {
				p99s.computeIfAbsent(series, (name) -> new XYSeries(NAMES.get(name)))
					.add(point.cores(), point.result().best().summary().p99Millis());
			}
			if (!series.equals("gateway") && point.apiReplicas() == 1 && perCore == 0) {
				perCore = point.result().sustained() / point.cores();
			}
			most = Math.max(most, point.cores());
		}
		if (perCore > 0) {
			ideal.add(0, 0);
			ideal.add(most, perCore * most);
		}
		NumberAxis cores = new NumberAxis("cores given to the scaled tier");
		cores.setAutoRangeIncludesZero(true);
		CombinedDomainXYPlot plot = new CombinedDomainXYPlot(cores);
		plot.setGap(12);
		XYSeriesCollection rateData = new XYSeriesCollection();
		rates.values().forEach(rateData::addSeries);
		rateData.addSeries(ideal);
		XYPlot rate = plot(rateData, "sustained requests /s (p99 within target, failures within 1 %)");
		int i = 0;
		for (String series : rates.keySet()) {
			rate.getRenderer().setSeriesPaint(i++, COLOURS.get(series));
		}
		rate.getRenderer().setSeriesPaint(i, Color.GRAY);
		rate.getRenderer()
			.setSeriesStroke(i,
					new BasicStroke(1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] { 6f, 4f }, 0f));
		((XYLineAndShapeRenderer) rate.getRenderer()).setSeriesShapesVisible(i, false);
		XYSeriesCollection p99Data = new XYSeriesCollection();
		p99s.values().forEach(p99Data::addSeries);
		XYPlot p99 = plot(p99Data, "p99 at that rate (ms)");
		i = 0;
		for (String series : p99s.keySet()) {
			p99.getRenderer().setSeriesPaint(i++, COLOURS.get(series));
		}
		ValueMarker target = new ValueMarker(p99TargetMillis, Color.RED, new BasicStroke(1f));
		target.setLabel("p99 target " + (long) p99TargetMillis + " ms");
		target.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
		target.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
		p99.addRangeMarker(target);
		p99.getRangeAxis().setUpperBound(p99TargetMillis * 1.2);
		plot.add(rate, 3);
		plot.add(p99, 1);
		JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
		chart.setBackgroundPaint(Color.WHITE);
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 800);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static XYPlot plot(XYSeriesCollection data, String label) {
		XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
		for (int i = 0; i < data.getSeriesCount(); i++) {
			renderer.setSeriesStroke(i, new BasicStroke(2f));
		}
		XYPlot plot = new XYPlot(data, null, new NumberAxis(label), renderer);
		plot.setBackgroundPaint(Color.WHITE);
		plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
		plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
		return plot;
	}

}
