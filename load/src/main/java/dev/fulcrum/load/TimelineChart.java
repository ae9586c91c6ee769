package dev.fulcrum.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A run over time, drawn by JFreeChart: offered and succeeded requests a second; p50 and
 * p99 against the latency target; the replicas of the api-service and the workers, and
 * the queue's lag. A shaded band marks a phase (the spike).
 */
public final class TimelineChart {

	private static final Color OFFERED = new Color(150, 150, 150);

	private static final Color SUCCEEDED = new Color(31, 119, 180);

	private static final Color P50 = new Color(44, 160, 44);

	private static final Color P99 = new Color(214, 39, 40);

	private static final Color API = new Color(148, 103, 189);

	private static final Color WORKERS = new Color(255, 127, 14);

	private TimelineChart() {
	}

	/**
	 * Draws the timeline as a PNG.
	 * @param timeline the run
	 * @param title the chart's title
	 * @param band the phase to shade, as {from, to} seconds, or {@code null}
	 * @param p99TargetMillis the latency target, drawn as a line
	 * @param file where to write it
	 */
	public static void write(Timeline timeline, String title, double[] band, double p99TargetMillis, Path file) {
		XYSeries offered = new XYSeries("offered /s");
		XYSeries succeeded = new XYSeries("succeeded /s");
		XYSeries p50 = new XYSeries("p50 ms");
		XYSeries p99 = new XYSeries("p99 ms");
		XYSeries api = new XYSeries("api-service instances");
		XYSeries workers = new XYSeries("worker-service instances");
		XYSeries lag = new XYSeries("queue lag (jobs)");
		for (Timeline.Row row : timeline.rows()) {
			offered.add(row.second(), row.offered());
			succeeded.add(row.second(), row.succeeded());
			p50.add(row.second(), row.p50Millis());
			p99.add(row.second(), row.p99Millis());
			api.add(row.second(), row.apiReplicas());
			workers.add(row.second(), row.workerReplicas());
			lag.add(row.second(), row.queueLag());
		}
		NumberAxis time = new NumberAxis("seconds from the start");
		CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
		plot.setGap(12);
		XYPlot rates = plot(collection(offered, succeeded), "requests /s", new XYLineAndShapeRenderer(true, false));
		colour(rates, OFFERED, SUCCEEDED);
		rates.getRenderer()
			.setSeriesStroke(0,
					new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] { 6f, 4f }, 0f));
		XYPlot latency = plot(collection(p50, p99), "latency (ms)", new XYLineAndShapeRenderer(true, false));
		colour(latency, P50, P99);
		ValueMarker target = new ValueMarker(p99TargetMillis, Color.RED, new BasicStroke(1f));
		target.setLabel("p99 target " + (long) p99TargetMillis + " ms");
		target.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
		target.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
		latency.addRangeMarker(target);
		XYPlot replicas = plot(collection(api, workers), "replicas", new XYStepRenderer());
		colour(replicas, API, WORKERS);
		((NumberAxis) replicas.getRangeAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
		NumberAxis lagAxis = new NumberAxis("queue lag (jobs)");
		lagAxis.setRange(0, Math.max(10, lag.getMaxY() * 1.1));
		replicas.setRangeAxis(1, lagAxis);
		replicas.setDataset(1, new XYSeriesCollection(lag));
		replicas.mapDatasetToRangeAxis(1, 1);
		XYLineAndShapeRenderer lagRenderer = new XYLineAndShapeRenderer(true, false);
		lagRenderer.setSeriesPaint(0, Color.DARK_GRAY);
		lagRenderer.setSeriesStroke(0,
				new BasicStroke(1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] { 2f, 3f }, 0f));
		replicas.setRenderer(1, lagRenderer);
		for (XYPlot part : new XYPlot[] { rates, latency, replicas }) {
			if (band != null) {
				IntervalMarker spike = new IntervalMarker(band[0], band[1]);
				spike.setPaint(new Color(255, 200, 0, 40));
				part.addDomainMarker(spike);
			}
			plot.add(part, 1);
		}
		JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
		chart.setBackgroundPaint(Color.WHITE);
		try {
			Files.createDirectories(file.toAbsolutePath().getParent());
			ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 900);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static XYPlot plot(XYSeriesCollection data, String label, XYLineAndShapeRenderer renderer) {
		for (int i = 0; i < data.getSeriesCount(); i++) {
			renderer.setSeriesStroke(i, new BasicStroke(1.5f));
		}
		XYPlot plot = new XYPlot(data, null, new NumberAxis(label), renderer);
		plot.setBackgroundPaint(Color.WHITE);
		plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
		plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
		return plot;
	}

	private static void colour(XYPlot plot, Color... colours) {
		for (int i = 0; i < colours.length; i++) {
			plot.getRenderer().setSeriesPaint(i, colours[i]);
		}
	}

	private static XYSeriesCollection collection(XYSeries... series) {
		XYSeriesCollection collection = new XYSeriesCollection();
		for (XYSeries one : series) {
			collection.addSeries(one);
		}
		return collection;
	}

}
